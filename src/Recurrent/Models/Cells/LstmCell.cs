using Recurrent.Numerics;

namespace Recurrent.Models.Cells;

/// <summary>
/// The LSTM cell, as PyTorch's <c>nn.LSTM</c>, gate blocks in the order i, f, g, o:
/// <c>i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)</c> with <c>a = xg + hg</c>;
/// <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>; <c>h_t = o ⊙ tanh(c_t)</c>.
/// </summary>
/// <remarks>
/// Legend: B lanes, H hidden units. xg, hg, dxg: <c>[B, 4H]</c>. Cache per step: the activated gates <c>[B, 4H]</c>
/// (per lane <c>[i | f | g | o]</c>) followed by <c>tanh(c_t)</c> <c>[B, H]</c> — the layout of the fused kernels
/// <see cref="Kernels.LstmForwardPointwise(int, Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float})"/> and <see cref="Kernels.LstmBackwardPointwise"/>.
/// </remarks>
internal sealed class LstmCell : IRecurrentCell
{
    /// <summary>Gets the shared instance (the cell is stateless).</summary>
    public static LstmCell Instance { get; } = new();

    /// <inheritdoc />
    public int GateCount => 4;

    /// <inheritdoc />
    public bool HasCellState => true;

    /// <inheritdoc />
    public int CacheWidth => 5;

    /// <inheritdoc />
    public bool SeparateRecurrentGradient => false;

    /// <inheritdoc />
    public void Forward(int hiddenSize, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache)
    {
        int H = hiddenSize;
        int B = h.Length / H;
        Span<float> gates = cache[..(B * 4 * H)];             // [B, 4H]: i, f, g, o
        Span<float> tanhC = cache.Slice(B * 4 * H, B * H);    // [B, H]
        // gates = σ/tanh(xg + hg) in one pass; c = f ⊙ c_{t−1} + i ⊙ g; h = o ⊙ tanh(c)
        Kernels.LstmForwardPointwise(SimdTiers.Best, H, xg[..(B * 4 * H)], hg[..(B * 4 * H)], gates, cPrev, c, tanhC, h);
    }

    /// <inheritdoc />
    public void Backward(
        int hiddenSize, ReadOnlySpan<float> cache, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dxg, Span<float> dhg, Span<float> dhPrev)
    {
        int H = hiddenSize;
        int B = h.Length / H;

        // dc_total = dc_{from t+1} + dh ⊙ o ⊙ (1 − tanh²(c)); da_i, da_f, da_g, da_o through σ' and tanh';
        // dc_{t−1} = dc_total ⊙ f (written in place over dc).
        Kernels.LstmBackwardPointwise(H, cache[..(B * 4 * H)], cPrev, cache.Slice(B * 4 * H, B * H), dh, dc, dxg, dc);
        dhPrev.Clear(); // h_{t−1} reaches the step only through W_hh.
    }
}
