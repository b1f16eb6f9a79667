using System.Numerics.Tensors;
using Recurrent.Numerics;

namespace Recurrent.Models.Cells;

/// <summary>
/// The Elman cell, as PyTorch's <c>nn.RNN(nonlinearity='tanh')</c>: <c>h_t = tanh(xg + hg)</c>, one gate block.
/// </summary>
/// <remarks>
/// Legend: B lanes, H hidden units. xg, hg: <c>[B, H]</c>. Nothing is cached: the backward needs only h_t.
/// </remarks>
internal sealed class RnnCell : IRecurrentCell
{
    /// <summary>Gets the shared instance (the cell is stateless).</summary>
    public static RnnCell Instance { get; } = new();

    /// <inheritdoc />
    public int GateCount => 1;

    /// <inheritdoc />
    public bool HasCellState => false;

    /// <inheritdoc />
    public int CacheWidth => 0;

    /// <inheritdoc />
    public bool SeparateRecurrentGradient => false;

    /// <inheritdoc />
    public void Forward(int hiddenSize, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache)
    {
        // a = W_ih·x + b_ih + W_hh·h_{t−1} + b_hh; h_t = tanh(a)
        TensorPrimitives.Add(xg, hg, xg);
        Kernels.Tanh(xg[..h.Length], h);
    }

    /// <inheritdoc />
    public void Backward(
        int hiddenSize, ReadOnlySpan<float> cache, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dxg, Span<float> dhg, Span<float> dhPrev)
    {
        // da = dh ⊙ tanh'(a) = dh ⊙ (1 − h²); the same gradient flows to both preactivation halves.
        Kernels.TanhBackward(h, dh, dxg[..h.Length]);

        // h_{t−1} reaches h_t only through W_hh.
        dhPrev.Clear();
    }
}
