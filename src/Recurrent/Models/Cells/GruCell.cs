using Recurrent.Numerics;

namespace Recurrent.Models.Cells;

/// <summary>
/// The GRU cell, as PyTorch's <c>nn.GRU</c>, gate blocks in the order r, z, n:
/// <c>r = σ(xg_r + hg_r), z = σ(xg_z + hg_z), n = tanh(xg_n + r ⊙ hg_n)</c>, <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>,
/// where <c>hg_n = W_hn·h_{t−1} + b_hn</c> keeps its bias inside the reset product.
/// </summary>
/// <remarks>
/// Legend: B lanes, H hidden units. xg, hg, dxg, dhg: <c>[B, 3H]</c>. Cache per step: the gates <c>[B, 3H]</c> (per lane
/// <c>[r | z | n]</c>) followed by the recurrent preactivations hg <c>[B, 3H]</c> — the layout of the fused kernels
/// <see cref="Kernels.GruForwardPointwise(int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/> and <see cref="Kernels.GruBackwardPointwise"/>.
/// </remarks>
internal sealed class GruCell : IRecurrentCell
{
    /// <summary>Gets the shared instance (the cell is stateless).</summary>
    public static GruCell Instance { get; } = new();

    /// <inheritdoc />
    public int GateCount => 3;

    /// <inheritdoc />
    public bool HasCellState => false;

    /// <inheritdoc />
    public int CacheWidth => 6;

    /// <inheritdoc />
    public bool SeparateRecurrentGradient => true;

    /// <inheritdoc />
    public void Forward(int hiddenSize, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache)
    {
        int H = hiddenSize;
        int B = h.Length / H;
        Span<float> gates = cache[..(B * 3 * H)];                // r, z, n
        Span<float> recurrent = cache.Slice(B * 3 * H, B * 3 * H); // hg, kept for backward (its n block)
        hg[..(B * 3 * H)].CopyTo(recurrent);

        // r, z = σ(xg + hg); n = tanh(xg_n + r ⊙ hg_n); h = n + z ⊙ (h_{t−1} − n)
        Kernels.GruForwardPointwise(H, xg[..(B * 3 * H)], recurrent, hPrev, gates, h);
    }

    /// <inheritdoc />
    public void Backward(
        int hiddenSize, ReadOnlySpan<float> cache, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dxg, Span<float> dhg, Span<float> dhPrev)
    {
        int H = hiddenSize;
        int B = h.Length / H;

        // da_n = dh ⊙ (1 − z) ⊙ tanh'; da_z = dh ⊙ (h_{t−1} − n) ⊙ σ'; da_r = (da_n ⊙ hg_n) ⊙ σ';
        // dxg = (da_r, da_z, da_n); dhg = (da_r, da_z, da_n ⊙ r); the direct part of dh_{t−1} = dh ⊙ z.
        Kernels.GruBackwardPointwise(H, cache[..(B * 3 * H)], cache.Slice(B * 3 * H, B * 3 * H), hPrev, dh, dxg, dhg, dhPrev);
    }
}
