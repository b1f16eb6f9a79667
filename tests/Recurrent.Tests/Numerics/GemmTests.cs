using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Recurrent.Numerics;

namespace Recurrent.Tests.Numerics;

/// <summary>
/// GEMM against a naive triple loop in double, on every SIMD tier this machine accelerates (the CI re-runs with
/// <c>DOTNET_EnableAVX512F=0</c> / <c>DOTNET_EnableAVX2=0</c> / <c>DOTNET_EnableHWIntrinsic=0</c> cover the rest).
/// </summary>
public sealed class GemmTests
{
    /// <summary>
    /// Error bound. Each C element is a float dot product of length k (k roundings of products and sums, fused or
    /// not, in any association order), then alpha·acc, beta·c and their sum (3 more roundings). The standard
    /// bound (Higham, Accuracy and Stability of Numerical Algorithms, §3.1) gives
    /// <c>|C − C_exact| ≤ γ(k+3)·(|alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij|)</c> with <c>γ(n) = n·u/(1 − n·u)</c> and
    /// <c>u = 2⁻²⁴</c>. The double reference is exact to ~1e-16 relative, negligible here. The bound is a worst
    /// case, so the test can only fail on a real bug (a wrong element is off by O(|a||b|), far above it).
    /// </summary>
    private static double Tolerance(int k, double magnitude)
    {
        const double U = 1.0 / (1 << 24);
        double n = k + 3;
        return (n * U / (1 - (n * U)) * magnitude) + 1e-30;
    }

    /// <summary>The tiers this process can run at full speed (lower tiers are always available in software).</summary>
    public static TheoryData<int> Tiers()
    {
        var data = new TheoryData<int>();
        for (var tier = SimdTier.Scalar; tier <= SimdTiers.Best; tier++)
        {
            data.Add((int)tier);
        }

        return data;
    }

    // (m, n, k) covering the edge sizes around every MR/NR (4, 6, 8, 16, 32, 48), the K block (192, and k > 192
    // cut into equal blocks), the MC block (126/128), the 960-column B chunk and the task split (> 768 rows or
    // columns).
    private static readonly (int M, int N, int K)[] s_shapes =
    [
        (1, 1, 1), (2, 3, 7), (3, 2, 1), (7, 15, 16), (15, 16, 17), (16, 17, 15), (17, 31, 33), (31, 33, 2),
        (33, 64, 65), (64, 65, 31), (65, 7, 127), (127, 129, 3), (1, 513, 64), (513, 1, 33), (2, 64, 513),
        (129, 40, 257), (20, 800, 16), (6, 1025, 9), (800, 9, 5), (9, 47, 191), (10, 49, 192), (11, 97, 193),
        (12, 113, 385), (5, 961, 20),
    ];

    public static TheoryData<int, bool, bool> ShapeIndicesAndTransposes()
    {
        var data = new TheoryData<int, bool, bool>();
        for (int s = 0; s < s_shapes.Length; s++)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    data.Add(s, ta, tb);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapeIndicesAndTransposes))]
    public void Multiply_MatchesDoubleReference_OnEveryTier(int shape, bool transA, bool transB)
    {
        (int m, int n, int k) = s_shapes[shape];
        var random = new Random((shape * 4) + (transA ? 2 : 0) + (transB ? 1 : 0));
        for (var tier = SimdTier.Scalar; tier <= SimdTiers.Best; tier++)
        {
            CheckCase(random, tier, 1, transA, transB, m, n, k, 1f, 0f, extraLd: 0);
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Multiply_AlphaBetaAndLeadingDimensions(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(42);
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (0.5f, 1f), (-1.5f, 0.25f), (2f, -1f), (1f, 1f)];
        foreach ((float alpha, float beta) in scalars)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    CheckCase(random, tier, 1, ta, tb, 37, 45, 19, alpha, beta, extraLd: 5);
                    CheckCase(random, tier, 1, ta, tb, 9, 70, 300, alpha, beta, extraLd: 1);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Multiply_BetaZero_OverwritesNaN(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(7);
        const int M = 13, N = 35, K = 9;
        float[] a = RandomArray(random, M * K);
        float[] b = RandomArray(random, K * N);
        float[] c = new float[M * N];
        Array.Fill(c, float.NaN);
        Gemm.Multiply(tier, 1, false, false, M, N, K, 1f, a, K, b, N, 0f, c, N);
        Assert.All(c, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(0f, 0.5f)]
    [InlineData(0f, 0f)]
    [InlineData(1f, 2f)]
    public void Multiply_ZeroAlphaOrZeroK_ScalesC(float alpha, float beta)
    {
        var random = new Random(3);
        const int M = 5, N = 6;
        float[] c = RandomArray(random, M * N);
        float[] expected = c.Select(v => beta * v).ToArray();
        int k = alpha == 0f ? 4 : 0;
        float[] a = RandomArray(random, M * Math.Max(k, 1));
        float[] b = RandomArray(random, Math.Max(k, 1) * N);
        Gemm.Multiply(false, false, M, N, k, alpha, a, Math.Max(k, 1), b, N, beta, c, N);
        Assert.Equal(expected, c);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Multiply_RowsGetTheSameBitsInAnyTile(int tierValue)
    {
        // A row of C is the same whether it is computed in a full MR-row tile, in a ragged bottom tile of more than
        // MR/2 rows (the full kernel into a scratch tile) or of at most MR/2 rows (the half kernel): the recurrent
        // layers rely on it when they cut a batch into parts of any size. alpha = 1 and beta ∈ {0, 1}, as there.
        var tier = (SimdTier)tierValue;
        var random = new Random(21);
        const int M = 37, N = 70, K = 300;
        float[] a = RandomArray(random, M * K);
        float[] b = RandomArray(random, N * K);
        float[] c0 = RandomArray(random, M * N);
        foreach (float beta in new[] { 0f, 1f })
        {
            float[] whole = (float[])c0.Clone();
            Gemm.Multiply(tier, 1, false, true, M, N, K, 1f, a, K, b, K, beta, whole, N);
            foreach (int rows in new[] { 1, 2, 3, 5, 7, 10, 13 })
            {
                for (int r0 = 0; r0 + rows <= M; r0 += rows + 3)
                {
                    float[] part = c0.AsSpan(r0 * N, rows * N).ToArray();
                    Gemm.Multiply(tier, 1, false, true, rows, N, K, 1f, a.AsSpan(r0 * K), K, b, K, beta, part, N);
                    Assert.Equal(whole.AsSpan(r0 * N, rows * N).ToArray(), part);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Multiply_ColumnsGetTheSameBitsInAnyTile(int tierValue)
    {
        // A column of C is the same whether it is computed in a full NR-wide tile or in a ragged right tile of any
        // width (the kernel runs only the vectors that hold the valid columns, straight into C when they are whole
        // vectors, else into a scratch tile): the product with a slice of B's columns equals the same columns of
        // the whole product, bit for bit.
        var tier = (SimdTier)tierValue;
        var random = new Random(22);
        const int M = 19, N = 100, K = 300;
        float[] a = RandomArray(random, M * K);
        float[] b = RandomArray(random, N * K);
        float[] c0 = RandomArray(random, M * N);
        foreach (float beta in new[] { 0f, 1f })
        {
            float[] whole = (float[])c0.Clone();
            Gemm.Multiply(tier, 1, false, true, M, N, K, 1f, a, K, b, K, beta, whole, N);
            foreach (int cols in new[] { 1, 4, 5, 8, 15, 16, 17, 31, 32, 33, 47, 49, 64, 80 })
            {
                for (int j0 = 0; j0 + cols <= N; j0 += cols + 7)
                {
                    float[] part = new float[M * cols];
                    for (int i = 0; i < M; i++)
                    {
                        c0.AsSpan((i * N) + j0, cols).CopyTo(part.AsSpan(i * cols));
                    }

                    Gemm.Multiply(tier, 1, false, true, M, cols, K, 1f, a, K, b.AsSpan(j0 * K), K, beta, part, cols);
                    for (int i = 0; i < M; i++)
                    {
                        Assert.Equal(whole.AsSpan((i * N) + j0, cols).ToArray(), part.AsSpan(i * cols, cols).ToArray());
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Multiply_WithBias_IsBitwiseEqualToBroadcastingTheBiasFirst(int tierValue)
    {
        // A bias row stands in for every row of C's old content (the layers' input projections and recurrent steps):
        // the same bits as copying it into every row first, on every tier, over several K blocks, ragged edges, the
        // parallel task grid (with and without a shared packed B) and k = 0. C's old content is never read.
        var tier = (SimdTier)tierValue;
        var random = new Random(23);
        foreach ((int m, int n, int k, int threads) in new[] { (37, 70, 300, 1), (9, 49, 5, 1), (300, 520, 200, 2), (1030, 100, 130, 2), (5, 7, 0, 1) })
        {
            foreach (bool transB in new[] { false, true })
            {
                float[] a = RandomArray(random, m * Math.Max(k, 1));
                float[] b = RandomArray(random, n * Math.Max(k, 1));
                float[] bias = RandomArray(random, n);
                foreach (float beta in new[] { 1f, 0.5f })
                {
                    float[] expected = new float[m * n];
                    for (int i = 0; i < m; i++)
                    {
                        bias.CopyTo(expected.AsSpan(i * n));
                    }

                    float[] c = new float[m * n];
                    c.AsSpan().Fill(float.NaN);
                    Gemm.Multiply(tier, threads, false, transB, m, n, k, 1f, a, Math.Max(k, 1), b, transB ? Math.Max(k, 1) : n, beta, expected, n);
                    Gemm.Multiply(tier, threads, false, transB, m, n, k, 1f, a, Math.Max(k, 1), b, transB ? Math.Max(k, 1) : n, beta, bias, c, n);
                    Assert.Equal(expected, c);
                }
            }
        }

        float[] any = new float[12];
        AssertParam("bias", () => Gemm.Multiply(false, false, 3, 4, 2, 1f, any, 2, any, 4, 1f, any.AsSpan(0, 3), new float[12], 4));
        float[] shared = new float[16];
        AssertParam("bias", () => Gemm.Multiply(false, false, 3, 4, 2, 1f, any, 2, any, 4, 1f, shared.AsSpan(0, 4), shared.AsSpan(2, 12), 4));
    }

    [Fact]
    public void Multiply_ResultIsBitwiseIndependentOfThreadCount()
    {
        // Large enough to split into several tasks (m and n above the 768 task edge) and to take the parallel path.
        var random = new Random(11);
        const int M = 800, N = 900, K = 64;
        float[] a = RandomArray(random, M * K);
        float[] b = RandomArray(random, N * K);
        float[] c0 = RandomArray(random, M * N);
        float[] reference = (float[])c0.Clone();
        Gemm.Multiply(SimdTiers.Best, 1, false, true, M, N, K, 0.75f, a, K, b, K, 0.5f, reference, N);
        foreach (int threads in new[] { 2, 3 })
        {
            float[] c = (float[])c0.Clone();
            Gemm.Multiply(SimdTiers.Best, threads, false, true, M, N, K, 0.75f, a, K, b, K, 0.5f, c, N);
            Assert.Equal(reference, c);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Multiply_LongK_IsBitwiseIndependentOfThreadCount(bool transA, bool transB)
    {
        // m·n·k above the parallel threshold with small m and n: the thread budget changes the task grid (one
        // thread: no extra split; several: at least four tasks per thread), never the result. Shaped like
        // dLogits·W (NN, k = V) and the weight gradients (TN, k = positions), scaled down.
        var random = new Random(13);
        const int M = 150, N = 100, K = 1200;
        float[] a = RandomArray(random, M * K);
        float[] b = RandomArray(random, N * K);
        float[] c0 = RandomArray(random, M * N);
        int lda = transA ? M : K, ldb = transB ? K : N;
        float[] reference = (float[])c0.Clone();
        Gemm.Multiply(SimdTiers.Best, 1, transA, transB, M, N, K, 1f, a, lda, b, ldb, 1f, reference, N);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            float[] c = (float[])c0.Clone();
            Gemm.Multiply(SimdTiers.Best, threads, transA, transB, M, N, K, 1f, a, lda, b, ldb, 1f, c, N);
            Assert.Equal(reference, c);
        }
    }

    [Theory]
    [InlineData(false, true, 1000, 300, 40)]   // NT, several task rows: forward of the output layer, scaled down
    [InlineData(true, false, 900, 40, 300)]    // TN, several task rows: its weight gradient
    [InlineData(false, false, 100, 90, 1500)]  // NN, long k: rows cut below one MC block
    [InlineData(true, true, 801, 77, 200)]     // ragged m and n: edge tiles in a shared-B product
    public unsafe void Multiply_SharedPackedB_IsBitwiseIndependentOfThreadCount(bool transA, bool transB, int m, int n, int k)
    {
        // On several threads these products pack op(B) once into a shared buffer and cut the rows finer; on one
        // thread each task packs its own B. The bits must not differ, nor from the reference order of operations.
        var random = new Random(17);
        float[] a = RandomArray(random, m * k);
        float[] b = RandomArray(random, n * k);
        float[] c0 = RandomArray(random, m * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        var parallelJob = new GemmJob(SimdTiers.Best, transA, transB, m, n, k, 1f, null, lda, null, ldb, 1f, null, n, 2);
        Assert.True(parallelJob.SharesB);
        float[] reference = (float[])c0.Clone();
        Gemm.Multiply(SimdTiers.Best, 1, transA, transB, m, n, k, 1f, a, lda, b, ldb, 1f, reference, n);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            float[] c = (float[])c0.Clone();
            Gemm.Multiply(SimdTiers.Best, threads, transA, transB, m, n, k, 1f, a, lda, b, ldb, 1f, c, n);
            Assert.Equal(reference, c);
        }

        CheckAgainstDouble(a, lda, b, ldb, c0, reference, transA, transB, m, n, k);
    }

    private static void CheckAgainstDouble(
        float[] a, int lda, float[] b, int ldb, float[] c0, float[] c, bool transA, bool transB, int m, int n, int k)
    {
        for (int i = 0; i < m; i += 7)
        {
            for (int j = 0; j < n; j += 5)
            {
                double sum = c0[(i * n) + j];
                double magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)(transA ? a[(p * lda) + i] : a[(i * lda) + p]) * (transB ? b[(j * ldb) + p] : b[(p * ldb) + j]);
                    sum += term;
                    magnitude += Math.Abs(term);
                }

                Assert.True(Math.Abs(c[(i * n) + j] - sum) <= 1e-5 * magnitude + 1e-6, $"C[{i}, {j}] = {c[(i * n) + j]}, expected {sum}");
            }
        }
    }

    [Property(MaxTest = 40)]
    public Property Multiply_RandomShapes_MatchReference()
    {
        Gen<(int, int, int, bool, bool, int)> gen =
            from m in Gen.Choose(1, 40)
            from n in Gen.Choose(1, 70)
            from k in Gen.Choose(1, 40)
            from ta in Gen.Elements(false, true)
            from tb in Gen.Elements(false, true)
            from seed in Gen.Choose(0, int.MaxValue)
            select (m, n, k, ta, tb, seed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            (int m, int n, int k, bool ta, bool tb, int seed) = t;
            CheckCase(new Random(seed), SimdTiers.Best, 1, ta, tb, m, n, k, 1.25f, 0.5f, extraLd: seed % 3);
        });
    }

    [Fact]
    public void Multiply_ValidatesArguments()
    {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        AssertParam("m", () => Gemm.Multiply(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        AssertParam("n", () => Gemm.Multiply(false, false, 2, -1, 3, 1f, a, 3, b, 2, 0f, c, 2));
        AssertParam("k", () => Gemm.Multiply(false, false, 2, 2, -3, 1f, a, 3, b, 2, 0f, c, 2));
        AssertParam("lda", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        AssertParam("lda", () => Gemm.Multiply(true, false, 2, 2, 3, 1f, a, 1, b, 2, 0f, c, 2));
        AssertParam("ldb", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 1, 0f, c, 2));
        AssertParam("ldb", () => Gemm.Multiply(false, true, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        AssertParam("ldc", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 1));
        AssertParam("a", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a.AsSpan(0, 5), 3, b, 2, 0f, c, 2));
        AssertParam("b", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b.AsSpan(0, 5), 2, 0f, c, 2));
        AssertParam("c", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c.AsSpan(0, 3), 2));
        AssertParam("c", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 3));
        float[] shared = new float[20];
        AssertParam("c", () => Gemm.Multiply(false, false, 2, 2, 3, 1f, shared.AsSpan(0, 6), 3, b, 2, 0f, shared.AsSpan(4, 4), 2));
    }

    [Fact]
    public void Multiply_EmptyDimensions_DoNothing()
    {
        float[] c = [1f, 2f];
        Gemm.Multiply(false, false, 0, 2, 3, 1f, [], 3, new float[6], 2, 0f, [], 2);
        Gemm.Multiply(false, false, 1, 0, 3, 1f, new float[3], 3, [], 1, 0f, c, 1);
        Assert.Equal([1f, 2f], c);
    }

    internal static void AssertParam(string name, Action action)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(name, e.ParamName);
    }

    internal static float[] RandomArray(Random random, int length)
    {
        float[] x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return x;
    }

    /// <summary>
    /// One GEMM on sub-matrix views: each matrix sits at an offset inside a larger buffer with a leading dimension
    /// <paramref name="extraLd"/> wider than its rows; the gaps hold sentinels that must survive untouched.
    /// </summary>
    private static void CheckCase(
        Random random, SimdTier tier, int threads, bool transA, bool transB, int m, int n, int k,
        float alpha, float beta, int extraLd)
    {
        const float Sentinel = 12345.5f;
        (int aRows, int aCols) = transA ? (k, m) : (m, k);
        (int bRows, int bCols) = transB ? (n, k) : (k, n);
        int lda = aCols + extraLd, ldb = bCols + extraLd, ldc = n + extraLd;
        const int Offset = 3;
        float[] aBuf = RandomArray(random, Offset + (aRows * lda));
        float[] bBuf = RandomArray(random, Offset + (bRows * ldb));
        float[] cBuf = RandomArray(random, Offset + (m * ldc) + 2);
        for (int i = 0; i < cBuf.Length; i++)
        {
            int rel = i - Offset;
            if (rel < 0 || rel >= m * ldc || rel % ldc >= n)
            {
                cBuf[i] = Sentinel;
            }
        }

        float[] c0 = (float[])cBuf.Clone();
        Gemm.Multiply(
            tier, threads, transA, transB, m, n, k, alpha,
            aBuf.AsSpan(Offset, ((aRows - 1) * lda) + aCols), lda,
            bBuf.AsSpan(Offset, ((bRows - 1) * ldb) + bCols), ldb,
            beta, cBuf.AsSpan(Offset), ldc);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? aBuf[Offset + (p * lda) + i] : aBuf[Offset + (i * lda) + p];
                    double bv = transB ? bBuf[Offset + (j * ldb) + p] : bBuf[Offset + (p * ldb) + j];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }

                double cOld = c0[Offset + (i * ldc) + j];
                double expected = (alpha * sum) + (beta == 0f ? 0 : beta * cOld);
                double tol = Tolerance(k, (Math.Abs(alpha) * magnitude) + Math.Abs(beta * cOld));
                double actual = cBuf[Offset + (i * ldc) + j];
                if (Math.Abs(actual - expected) > tol)
                {
                    Assert.Fail($"{tier} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} m={m} n={n} k={k} alpha={alpha} beta={beta} ld+{extraLd}: C[{i},{j}] = {actual}, expected {expected} ± {tol}");
                }
            }
        }

        for (int i = 0; i < cBuf.Length; i++)
        {
            int rel = i - Offset;
            if (rel < 0 || rel >= m * ldc || rel % ldc >= n)
            {
                Assert.Equal(Sentinel, cBuf[i]);
            }
        }
    }
}
