using Recurrent.Tests.TestUtilities;
using Recurrent.Numerics;

namespace Recurrent.Tests.Numerics;

/// <summary>
/// The register-blocked <c>Gemm.MatVec</c> against a double reference on every tier this machine accelerates, over
/// row counts around the 8-row (A·x) and 4-row (Aᵀ·x) groups and column counts around every vector width.
/// </summary>
public sealed class MatVecTests
{
    private static readonly int[] s_rows = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25];
    private static readonly int[] s_columns = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 200];

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MatVec_MatchesDoubleReference_OverEdgeShapes(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(17 + tierValue);
        foreach (int m in s_rows)
        {
            foreach (int n in s_columns)
            {
                foreach (bool trans in new[] { false, true })
                {
                    CheckCase(random, tier, trans, m, n, extraLd: (m + n) % 3, beta: (m % 3) switch { 0 => 0f, 1 => 1f, _ => -0.5f });
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MatVec_ModelShapes_MatchDoubleReference(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(23);

        // The decoder at batch 1 ([V, H]·h) and an LSTM step ([4H, H]·h), plus the transposed use.
        CheckCase(random, tier, false, 1000, 200, extraLd: 0, beta: 0f);
        CheckCase(random, tier, false, 800, 200, extraLd: 0, beta: 1f);
        CheckCase(random, tier, true, 800, 200, extraLd: 0, beta: 0f);
        CheckCase(random, tier, true, 650, 2600, extraLd: 0, beta: 1f);
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MatVec_RowsAreComputedIndependentlyOfTheirGroup(int tierValue)
    {
        // A·x: each row's result depends on that row only (the 8-row groups and the 1-row remainder run the same
        // sequence); Aᵀ·x: the 4-row passes give the same bits as accumulating one row at a time.
        var tier = (SimdTier)tierValue;
        var random = new Random(31);
        const int M = 21, N = 37;
        float[] a = GemmTests.RandomArray(random, M * N);
        float[] x = GemmTests.RandomArray(random, N);
        float[] y = new float[M];
        Gemm.MatVec(tier, false, M, N, a, N, x, 0f, y);
        for (int i = 0; i < M; i++)
        {
            float[] one = new float[1];
            Gemm.MatVec(tier, false, 1, N, a.AsSpan(i * N, N), N, x, 0f, one);
            Assert.Equal(y[i], one[0]);
        }

        // With beta = 1 (y's old value added to each row's sum), for every layout of a pass: one row from each eighth of
        // the range (67 rows), the eighths skewed because they start a multiple of 4 KiB apart (64 × 128, 128 × 128,
        // 80 × 1024), and eight consecutive rows (32 × 256: aliased eighths of four rows).
        foreach ((int m, int n) in new[] { (M, N), (67, 16), (67, 9), (67, 200), (64, 128), (128, 128), (80, 1024), (32, 256) })
        {
            float[] am = GemmTests.RandomArray(random, m * n);
            float[] xm = GemmTests.RandomArray(random, n);
            float[] y0 = GemmTests.RandomArray(random, m);
            float[] all = (float[])y0.Clone();
            Gemm.MatVec(tier, false, m, n, am, n, xm, 1f, all);
            for (int i = 0; i < m; i++)
            {
                float[] one = [y0[i]];
                Gemm.MatVec(tier, false, 1, n, am.AsSpan(i * n, n), n, xm, 1f, one);
                Assert.Equal(all[i], one[0]);
            }
        }

        float[] xt = GemmTests.RandomArray(random, M);
        float[] yt = new float[N];
        Gemm.MatVec(tier, true, M, N, a, N, xt, 0f, yt);
        float[] acc = new float[N];
        for (int i = 0; i < M; i++)
        {
            Gemm.MatVec(tier, true, 1, N, a.AsSpan(i * N, N), N, xt.AsSpan(i, 1), 1f, acc);
        }

        Assert.Equal(yt, acc);
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MatVec_RowsSplitOverThreads_SameBitsAsOneThread(int tierValue)
    {
        // Above the split threshold y = A·x cuts its rows into one part per thread, on multiples of eight.
        var tier = (SimdTier)tierValue;
        var random = new Random(77);
        foreach ((int m, int n, float beta) in new[] { (4000, 128, 1f), (1001, 263, 0f), (17, 16000, 1f) })
        {
            Assert.True((long)m * n >= Gemm.ParallelMatVecElements);
            float[] a = GemmTests.RandomArray(random, m * n);
            float[] x = GemmTests.RandomArray(random, n);
            float[] y0 = GemmTests.RandomArray(random, m);
            float[] one = (float[])y0.Clone();
            Gemm.MatVec(tier, false, m, n, a, n, x, beta, one, maxDegreeOfParallelism: 1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                float[] many = (float[])y0.Clone();
                Gemm.MatVec(tier, false, m, n, a, n, x, beta, many, threads);
                Assert.Equal(one, many);
            }
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MatVec_BetaZero_OverwritesNaN(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(8);
        float[] a = GemmTests.RandomArray(random, 19 * 21);
        foreach (bool trans in new[] { false, true })
        {
            float[] y = new float[trans ? 21 : 19];
            Array.Fill(y, float.NaN);
            Gemm.MatVec(tier, trans, 19, 21, a, 21, GemmTests.RandomArray(random, trans ? 19 : 21), 0f, y);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void MatVec_EmptyShapesAndAllocation()
    {
        float[] y = [5f, 6f];
        Gemm.MatVec(false, 0, 3, [], 3, new float[3], 0f, y);
        Gemm.MatVec(true, 2, 0, new float[2], 1, new float[2], 0f, y);
        Assert.Equal([5f, 6f], y);

        // n = 0 rows of A·x are empty dot products: y = beta·y.
        Gemm.MatVec(false, 2, 0, [], 1, [], 0.5f, y);
        Assert.Equal([2.5f, 3f], y);

        var random = new Random(9);
        float[] a = GemmTests.RandomArray(random, 100 * 64);
        float[] x = GemmTests.RandomArray(random, 100);
        float[] yy = new float[100];
        Gemm.MatVec(false, 100, 64, a, 64, x, 0f, yy);
        Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
        {
            Gemm.MatVec(false, 100, 64, a, 64, x, 0f, yy);
            Gemm.MatVec(true, 100, 64, a, 64, x, 1f, yy);
        }));

        // The row split over the worker pool (above the threshold) allocates nothing either, once warm.
        float[] big = GemmTests.RandomArray(random, 4096 * 64);
        float[] ybig = new float[4096];
        Gemm.MatVec(SimdTiers.Best, false, 4096, 64, big, 64, x, 0f, ybig, maxDegreeOfParallelism: 2);
        Assert.Equal(0, Allocations.FewestBytesPerRound(() => Gemm.MatVec(SimdTiers.Best, false, 4096, 64, big, 64, x, 0f, ybig, maxDegreeOfParallelism: 2)));
    }

    private static void CheckCase(Random random, SimdTier tier, bool trans, int m, int n, int extraLd, float beta)
    {
        const float Sentinel = 12345.5f;
        int lda = n + extraLd;
        float[] a = GemmTests.RandomArray(random, ((m - 1) * lda) + n);
        float[] x = GemmTests.RandomArray(random, trans ? m : n);
        int yLength = trans ? n : m;
        float[] y0 = GemmTests.RandomArray(random, yLength + 1);
        y0[yLength] = Sentinel;
        float[] y = (float[])y0.Clone();
        Gemm.MatVec(tier, trans, m, n, a, lda, x, beta, y.AsSpan(0, yLength));
        Assert.Equal(Sentinel, y[yLength]);
        int len = trans ? m : n;
        for (int r = 0; r < yLength; r++)
        {
            double sum = 0, magnitude = 0;
            for (int p = 0; p < len; p++)
            {
                double av = trans ? a[(p * lda) + r] : a[(r * lda) + p];
                sum += av * x[p];
                magnitude += Math.Abs(av * x[p]);
            }

            double expected = sum + (beta == 0f ? 0 : beta * y0[r]);
            double tol = ((len + 3) * Math.Pow(2, -24) * (magnitude + Math.Abs(beta * y0[r])) * 1.01) + 1e-30;
            if (Math.Abs(expected - y[r]) > tol)
            {
                Assert.Fail($"{tier} {(trans ? "Aᵀx" : "Ax")} m={m} n={n} ld+{extraLd} beta={beta}: y[{r}] = {y[r]}, expected {expected} ± {tol}");
            }
        }
    }
}
