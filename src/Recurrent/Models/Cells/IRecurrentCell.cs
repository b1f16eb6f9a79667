namespace Recurrent.Models.Cells;

/// <summary>
/// The pointwise part of a recurrent cell: everything a layer does per step that is not a matrix product.
/// </summary>
/// <remarks>
/// <para>Legend: B lanes, H hidden units, G gate blocks (<see cref="GateCount"/>), CW cached floats per lane and unit
/// (<see cref="CacheWidth"/>). Every span covers all B lanes, lane-major: lane b of a <c>[B, G·H]</c> buffer starts at
/// <c>b·G·H</c> and its gate block k at <c>b·G·H + k·H</c> (PyTorch's gate order).</para>
/// <para>The layer computes, per step, <c>xg = W_ih·x_t + b_ih</c> (for all steps at once) and <c>hg = W_hh·h_{t−1} + b_hh</c>;
/// the cell turns (xg, hg, h_{t−1}, c_{t−1}) into (h_t, c_t) and caches what its backward needs. Backward turns
/// dL/dh_t and dL/dc_t into dL/dxg (the gradient of the input-side preactivations), dL/dhg (the recurrent side;
/// it differs from dL/dxg only for the GRU's n gate), the direct part of dL/dh_{t−1} (the part that does not go
/// through W_hh) and dL/dc_{t−1}.</para>
/// </remarks>
internal interface IRecurrentCell
{
    /// <summary>Gets the number of gate blocks G: RNN 1, GRU 3, LSTM 4.</summary>
    int GateCount { get; }

    /// <summary>Gets whether the cell carries a cell state c besides h (LSTM).</summary>
    bool HasCellState { get; }

    /// <summary>Gets how many H-wide blocks per lane the cell caches per step for its backward.</summary>
    int CacheWidth { get; }

    /// <summary>Gets whether dL/dhg differs from dL/dxg (GRU), so the layer needs a second gradient buffer.</summary>
    bool SeparateRecurrentGradient { get; }

    /// <summary>
    /// One step forward for B lanes. <paramref name="xg"/> <c>[B, G·H]</c> and <paramref name="hg"/> <c>[B, G·H]</c> are
    /// scratch: the cell may overwrite them. Writes <paramref name="h"/> <c>[B, H]</c>, <paramref name="c"/> <c>[B, H]</c>
    /// (LSTM only; empty otherwise) and <paramref name="cache"/> <c>[B, CW·H]</c>. Outputs must not alias inputs.
    /// </summary>
    void Forward(int hiddenSize, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache);

    /// <summary>
    /// One step backward for B lanes. <paramref name="dh"/> <c>[B, H]</c> is dL/dh_t. <paramref name="dc"/> <c>[B, H]</c>
    /// (LSTM) holds dL/dc_t on entry and dL/dc_{t−1} on return. Overwrites <paramref name="dxg"/> <c>[B, G·H]</c>,
    /// <paramref name="dhg"/> <c>[B, G·H]</c> (only when <see cref="SeparateRecurrentGradient"/>; otherwise empty) and
    /// <paramref name="dhPrev"/> <c>[B, H]</c> with the direct (not through W_hh) part of dL/dh_{t−1}.
    /// </summary>
    void Backward(
        int hiddenSize, ReadOnlySpan<float> cache, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dxg, Span<float> dhg, Span<float> dhPrev);
}
