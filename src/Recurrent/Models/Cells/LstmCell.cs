using System.Numerics.Tensors;

namespace Recurrent.Models.Cells;

/// <summary>
/// The LSTM cell, as PyTorch's <c>nn.LSTM</c>, gate blocks in the order i, f, g, o:
/// <c>i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)</c> with <c>a = xg + hg</c>;
/// <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>; <c>h_t = o ⊙ tanh(c_t)</c>.
/// </summary>
/// <remarks>
/// Legend: B lanes, H hidden units. xg, hg, dxg: <c>[B, 4H]</c>. Cache per lane: <c>[i | f | g | o | tanh(c_t)]</c>,
/// <c>[B, 5H]</c>.
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
        TensorPrimitives.Add(xg, hg, xg); // a = xg + hg, [B, 4H]
        for (int b = 0; b < B; b++)
        {
            ReadOnlySpan<float> a = xg.Slice(b * 4 * H, 4 * H);
            Span<float> k = cache.Slice(b * 5 * H, 5 * H);
            Span<float> i = k[..H], f = k.Slice(H, H), g = k.Slice(2 * H, H), o = k.Slice(3 * H, H), tc = k.Slice(4 * H, H);
            TensorPrimitives.Sigmoid(a[..(2 * H)], k[..(2 * H)]);      // i, f
            TensorPrimitives.Tanh(a.Slice(2 * H, H), g);                // g
            TensorPrimitives.Sigmoid(a.Slice(3 * H, H), o);             // o
            Span<float> cb = c.Slice(b * H, H);
            TensorPrimitives.Multiply(f, cPrev.Slice(b * H, H), cb);   // c = f ⊙ c_{t−1}
            TensorPrimitives.MultiplyAdd(i, g, cb, cb);                 //   + i ⊙ g
            TensorPrimitives.Tanh(cb, tc);
            TensorPrimitives.Multiply(o, tc, h.Slice(b * H, H));        // h = o ⊙ tanh(c)
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
            ReadOnlySpan<float> k = cache.Slice(b * 5 * H, 5 * H);
            ReadOnlySpan<float> i = k[..H], f = k.Slice(H, H), g = k.Slice(2 * H, H), o = k.Slice(3 * H, H), tc = k.Slice(4 * H, H);
            ReadOnlySpan<float> dhb = dh.Slice(b * H, H), cp = cPrev.Slice(b * H, H);
            Span<float> dcb = dc.Slice(b * H, H);
            Span<float> d = dxg.Slice(b * 4 * H, 4 * H);
            for (int j = 0; j < H; j++)
            {
                float ij = i[j], fj = f[j], gj = g[j], oj = o[j], tj = tc[j], dhj = dhb[j];
                // h = o ⊙ tanh(c): dc_total = dc_{from t+1} + dh ⊙ o ⊙ (1 − tanh²(c))
                float dct = dcb[j] + (dhj * oj * (1f - (tj * tj)));
                d[j] = dct * gj * ij * (1f - ij);                 // da_i = (dc ⊙ g) ⊙ σ'(a_i)
                d[H + j] = dct * cp[j] * fj * (1f - fj);          // da_f = (dc ⊙ c_{t−1}) ⊙ σ'(a_f)
                d[(2 * H) + j] = dct * ij * (1f - (gj * gj));     // da_g = (dc ⊙ i) ⊙ tanh'(a_g)
                d[(3 * H) + j] = dhj * tj * oj * (1f - oj);       // da_o = (dh ⊙ tanh c) ⊙ σ'(a_o)
                dcb[j] = dct * fj;                                // dc_{t−1} = dc ⊙ f
            }
        }

        dhPrev.Clear(); // h_{t−1} reaches the step only through W_hh.
    }
}
