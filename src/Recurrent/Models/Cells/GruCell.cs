using System.Numerics.Tensors;

namespace Recurrent.Models.Cells;

/// <summary>
/// The GRU cell, as PyTorch's <c>nn.GRU</c>, gate blocks in the order r, z, n:
/// <c>r = σ(xg_r + hg_r), z = σ(xg_z + hg_z), n = tanh(xg_n + r ⊙ hg_n)</c>, <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>,
/// where <c>hg_n = W_hn·h_{t−1} + b_hn</c> keeps its bias inside the reset product.
/// </summary>
/// <remarks>
/// Legend: B lanes, H hidden units. xg, hg, dxg, dhg: <c>[B, 3H]</c>. Cache per lane: <c>[r | z | n | hg_n]</c>, <c>[B, 4H]</c>.
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
    public int CacheWidth => 4;

    /// <inheritdoc />
    public bool SeparateRecurrentGradient => true;

    /// <inheritdoc />
    public void Forward(int hiddenSize, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache)
    {
        int H = hiddenSize;
        int B = h.Length / H;
        for (int b = 0; b < B; b++)
        {
            Span<float> x = xg.Slice(b * 3 * H, 3 * H);
            ReadOnlySpan<float> rh = hg.Slice(b * 3 * H, 3 * H);
            Span<float> k = cache.Slice(b * 4 * H, 4 * H);
            Span<float> r = k[..H], z = k.Slice(H, H), n = k.Slice(2 * H, H), hn = k.Slice(3 * H, H);
            TensorPrimitives.Add(x[..(2 * H)], rh[..(2 * H)], x[..(2 * H)]);
            TensorPrimitives.Sigmoid(x[..(2 * H)], k[..(2 * H)]);          // r, z
            rh.Slice(2 * H, H).CopyTo(hn);                                  // hg_n, kept for backward
            TensorPrimitives.MultiplyAdd(r, hn, x.Slice(2 * H, H), n);      // xg_n + r ⊙ hg_n
            TensorPrimitives.Tanh(n, n);                                    // n
            Span<float> hb = h.Slice(b * H, H);
            TensorPrimitives.Subtract(hPrev.Slice(b * H, H), n, hb);        // h_{t−1} − n
            TensorPrimitives.MultiplyAdd(z, hb, n, hb);                     // h = n + z ⊙ (h_{t−1} − n)
        }
    }

    /// <inheritdoc />
    public void Backward(
        int hiddenSize, ReadOnlySpan<float> cache, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dxg, Span<float> dhg, Span<float> dhPrev)
    {
        int H = hiddenSize;
        int B = h.Length / H;
        for (int b = 0; b < B; b++)
        {
            ReadOnlySpan<float> k = cache.Slice(b * 4 * H, 4 * H);
            ReadOnlySpan<float> r = k[..H], z = k.Slice(H, H), n = k.Slice(2 * H, H), hn = k.Slice(3 * H, H);
            ReadOnlySpan<float> dhb = dh.Slice(b * H, H), hp = hPrev.Slice(b * H, H);
            Span<float> dx = dxg.Slice(b * 3 * H, 3 * H), dr = dhg.Slice(b * 3 * H, 3 * H), dp = dhPrev.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float rj = r[j], zj = z[j], nj = n[j], dhj = dhb[j];
                float dan = dhj * (1f - zj) * (1f - (nj * nj));  // dL/d(preactivation of n) = dh ⊙ (1 − z) ⊙ tanh'
                float daz = dhj * (hp[j] - nj) * zj * (1f - zj); // dh ⊙ (h_{t−1} − n) ⊙ σ'(a_z)
                float dar = dan * hn[j] * rj * (1f - rj);         // (da_n ⊙ hg_n) ⊙ σ'(a_r)
                dx[j] = dar;
                dx[H + j] = daz;
                dx[(2 * H) + j] = dan;                            // xg_n enters the n preactivation directly
                dr[j] = dar;
                dr[H + j] = daz;
                dr[(2 * H) + j] = dan * rj;                       // hg_n enters through r ⊙ hg_n
                dp[j] = dhj * zj;                                 // direct path: h = … + z ⊙ h_{t−1}
            }
        }
    }
}
