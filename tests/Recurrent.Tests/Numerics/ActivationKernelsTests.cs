using Recurrent.Numerics;

namespace Recurrent.Tests.Numerics;

/// <summary>
/// The vectorised exp-based sigmoid and tanh (and the fused LSTM/GRU forward kernels built on them): accuracy against
/// a double reference over the whole float range, special values, and the same bits on every SIMD tier.
/// </summary>
public sealed class ActivationKernelsTests
{
    // Relative error bound: a few ulp (float ulp at 1 is 1.19e-7).
    private const double MaxRelativeError = 4e-7;

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void SigmoidAndTanh_MatchDoubleReference(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        float[] x = Sweep();
        float[] s = new float[x.Length], t = new float[x.Length];
        Kernels.Sigmoid(tier, x, s);
        Kernels.Tanh(tier, x, t);
        for (int i = 0; i < x.Length; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-(double)x[i]));
            AssertRelative(sigmoid, s[i], x[i], "sigmoid", absolute: 1e-38);
            AssertRelative(Math.Tanh(x[i]), t[i], x[i], "tanh", absolute: 0);
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void SigmoidAndTanh_SpecialValues(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        float[] x = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, -1e-30f, float.Epsilon, 200f, -200f];
        float[] s = new float[x.Length], t = new float[x.Length];
        Kernels.Sigmoid(tier, x, s);
        Kernels.Tanh(tier, x, t);
        Assert.Equal(0.5f, s[0]);
        Assert.Equal(0.5f, s[1]);
        Assert.Equal(1f, s[2]);
        Assert.True(s[3] is >= 0f and < 1e-38f, $"sigmoid(-inf) = {s[3]}");
        Assert.True(float.IsNaN(s[4]), "sigmoid(NaN)");
        Assert.Equal(0.5f, s[5]);
        Assert.Equal(1f, s[8]);
        Assert.True(s[9] is >= 0f and < 1e-38f, $"sigmoid(-200) = {s[9]}");

        Assert.Equal(0f, t[0]);
        Assert.True(float.IsPositive(t[0]), "tanh(+0) keeps the sign");
        Assert.True(float.IsNegative(t[1]) && t[1] == 0f, "tanh(-0) keeps the sign");
        Assert.Equal(1f, t[2]);
        Assert.Equal(-1f, t[3]);
        Assert.True(float.IsNaN(t[4]), "tanh(NaN)");
        Assert.Equal(1e-30f, t[5]);
        Assert.Equal(-1e-30f, t[6]);
        Assert.Equal(float.Epsilon, t[7]);
        Assert.Equal(1f, t[8]);
        Assert.Equal(-1f, t[9]);
    }

    [Fact]
    public void EveryTier_GivesTheSameBits_AtEveryLength()
    {
        var random = new Random(5);
        for (int length = 0; length <= 70; length++)
        {
            float[] x = GemmTests.RandomArray(random, length).Select(v => v * 12).ToArray();
            float[] sBest = new float[length], tBest = new float[length];
            Kernels.Sigmoid(SimdTiers.Best, x, sBest);
            Kernels.Tanh(SimdTiers.Best, x, tBest);
            for (var tier = SimdTier.Scalar; tier < SimdTiers.Best; tier++)
            {
                float[] s = new float[length], t = new float[length];
                Kernels.Sigmoid(tier, x, s);
                Kernels.Tanh(tier, x, t);
                Assert.Equal(sBest, s);
                Assert.Equal(tBest, t);
            }

            // In place (exact alias) gives the same result.
            float[] inPlace = (float[])x.Clone();
            Kernels.Tanh(inPlace, inPlace);
            Assert.Equal(tBest, inPlace);
        }
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(2, 37)]
    [InlineData(2, 200)]
    public void CellForwardKernels_GiveTheSameBits_OnEveryTier(int rows, int hidden)
    {
        var random = new Random((rows * 1000) + hidden);
        int n = rows * hidden;
        float[] pre = GemmTests.RandomArray(random, 4 * n).Select(v => v * 4).ToArray();
        float[] cPrev = GemmTests.RandomArray(random, n);
        float[] gx = GemmTests.RandomArray(random, 3 * n).Select(v => v * 3).ToArray();
        float[] gh = GemmTests.RandomArray(random, 3 * n).Select(v => v * 3).ToArray();
        (float[] Gates, float[] C, float[] TanhC, float[] H) Lstm(SimdTier tier)
        {
            float[] gates = (float[])pre.Clone(), c = new float[n], tanhC = new float[n], h = new float[n];
            Kernels.LstmForwardPointwise(tier, hidden, gates, cPrev, c, tanhC, h);
            return (gates, c, tanhC, h);
        }

        (float[] Gates, float[] H) Gru(SimdTier tier)
        {
            float[] gates = new float[3 * n], h = new float[n];
            Kernels.GruForwardPointwise(tier, hidden, gx, gh, cPrev, gates, h);
            return (gates, h);
        }

        var lstm = Lstm(SimdTiers.Best);
        var gru = Gru(SimdTiers.Best);

        // The fused kernel's activations are the span kernels' (same bits).
        float[] i = new float[hidden];
        Kernels.Sigmoid(pre.AsSpan(0, hidden), i);
        Assert.Equal(i, lstm.Gates[..hidden]);
        for (var tier = SimdTier.Scalar; tier <= SimdTiers.Best; tier++)
        {
            var l = Lstm(tier);
            Assert.Equal(lstm.Gates, l.Gates);
            Assert.Equal(lstm.C, l.C);
            Assert.Equal(lstm.TanhC, l.TanhC);
            Assert.Equal(lstm.H, l.H);
            // The two-halves form (xg + hg added in the same pass) gives the same bits as adding first.
            float[] xg = pre.Select(v => v * 0.75f).ToArray();
            float[] hg = pre.Zip(xg, (p, x) => p - x).ToArray();
            float[] summed = xg.Zip(hg, (x, y) => x + y).ToArray();
            float[] g1 = new float[4 * n], c1 = new float[n], t1 = new float[n], h1 = new float[n];
            float[] c2 = new float[n], t2 = new float[n], h2 = new float[n];
            Kernels.LstmForwardPointwise(tier, hidden, xg, hg, g1, cPrev, c1, t1, h1);
            Kernels.LstmForwardPointwise(tier, hidden, summed, cPrev, c2, t2, h2);
            Assert.Equal(summed, g1);
            Assert.Equal(c2, c1);
            Assert.Equal(t2, t1);
            Assert.Equal(h2, h1);

            var g = Gru(tier);
            Assert.Equal(gru.Gates, g.Gates);
            Assert.Equal(gru.H, g.H);
        }
    }

    [Fact]
    public void Validate()
    {
        GemmTests.AssertParam("y", () => Kernels.Sigmoid(new float[4], new float[3]));
        GemmTests.AssertParam("y", () => Kernels.Tanh(new float[4], new float[5]));
        float[] buffer = new float[8];
        GemmTests.AssertParam("y", () => Kernels.Tanh(buffer.AsSpan(0, 4), buffer.AsSpan(1, 4)));
    }

    /// <summary>Every 997th float bit pattern between −120 and 120, plus a dense grid around 0 and the branch points.</summary>
    private static float[] Sweep()
    {
        var values = new List<float>();
        for (int bits = BitConverter.SingleToInt32Bits(1e-30f); bits <= BitConverter.SingleToInt32Bits(120f); bits += 997)
        {
            float v = BitConverter.Int32BitsToSingle(bits);
            values.Add(v);
            values.Add(-v);
        }

        for (int k = -4000; k <= 4000; k++)
        {
            values.Add(k * 1e-3f);
        }

        return [.. values];
    }

    private static void AssertRelative(double expected, float actual, float x, string name, double absolute)
    {
        double error = Math.Abs(actual - expected);
        if (error > (MaxRelativeError * Math.Abs(expected)) + absolute)
        {
            Assert.Fail($"{name}({x:R}) = {actual:R}, expected {expected:R} (relative error {error / Math.Abs(expected):E2})");
        }
    }
}
