using Recurrent.Tests.TestUtilities;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Recurrent.Numerics;

namespace Recurrent.Tests.Numerics;

/// <summary>
/// <see cref="PackedMatrix"/> and the pre-packed <c>Gemm.Multiply</c>: bitwise equal to the unpacked path (which
/// <see cref="GemmTests"/> checks against a double reference), checked against the double reference as well, on
/// every tier this machine accelerates (the CI re-runs with <c>DOTNET_EnableAVX512=0</c> / <c>DOTNET_EnableAVX2=0</c> /
/// <c>DOTNET_EnableHWIntrinsic=0</c> cover the rest).
/// </summary>
public sealed class PackedGemmTests
{
    private const float Sentinel = 12345.5f;

    // (m, n, k): the edges around every MR/NR (4, 6, 8, 16, 32, 48), the K block (192, and k > 192 cut into equal
    // blocks), the 960-column B chunk, the MC block (128), and the recurrent-step shapes (B × G·H × H).
    private static readonly (int M, int N, int K)[] s_shapes =
    [
        (1, 1, 1), (2, 3, 7), (3, 2, 1), (7, 15, 16), (15, 16, 17), (16, 17, 15), (17, 31, 33), (31, 33, 2),
        (33, 64, 65), (64, 65, 31), (65, 7, 127), (127, 129, 3), (1, 513, 64), (2, 64, 513), (129, 40, 257),
        (20, 800, 200), (6, 1025, 9), (20, 1030, 300), (64, 520, 130), (9, 47, 191), (10, 113, 385), (5, 961, 20),
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
    public void Multiply_Packed_IsBitwiseEqualToUnpacked_OnEveryTier(int shape, bool transA, bool transB)
    {
        (int m, int n, int k) = s_shapes[shape];
        var random = new Random(100 + (shape * 4) + (transA ? 2 : 0) + (transB ? 1 : 0));
        var packed = new PackedMatrix();
        for (var tier = SimdTier.Scalar; tier <= SimdTiers.Best; tier++)
        {
            CheckCase(random, packed, tier, 1, transA, transB, m, n, k, 1f, 0f, extraLd: 0);
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void Multiply_Packed_AlphaBetaAndLeadingDimensions(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(43);
        var packed = new PackedMatrix();
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (0.5f, 1f), (-1.5f, 0.25f), (2f, -1f), (1f, 1f)];
        foreach ((float alpha, float beta) in scalars)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    CheckCase(random, packed, tier, 1, ta, tb, 37, 45, 19, alpha, beta, extraLd: 5);
                    CheckCase(random, packed, tier, 1, ta, tb, 9, 70, 300, alpha, beta, extraLd: 1);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Multiply_Packed_IsBitwiseIndependentOfThreadCount(bool transB)
    {
        // Big enough for the parallel path (m·n·k ≥ 2²³) and a multi-task grid: an LSTM step at H = 650, B = 64
        // would be [64, 650]·W_hh[2600, 650]ᵀ; this is a cheaper shape with the same properties.
        var random = new Random(12);
        const int M = 200, N = 1100, K = 80;
        float[] a = GemmTests.RandomArray(random, M * K);
        float[] b = GemmTests.RandomArray(random, N * K);
        float[] c0 = GemmTests.RandomArray(random, M * N);
        int ldb = transB ? K : N;
        float[] reference = (float[])c0.Clone();
        Gemm.Multiply(SimdTiers.Best, 1, false, transB, M, N, K, 0.75f, a, K, b, ldb, 0.5f, reference, N);
        var packed = new PackedMatrix();
        packed.Pack(transB, K, N, b, ldb);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] c = (float[])c0.Clone();
            Gemm.Multiply(threads, false, M, 0.75f, a, K, packed, 0.5f, c, N);
            Assert.Equal(reference, c);
        }
    }

    [Fact]
    public void Pack_ReusesItsBuffer_AndRepackingPicksUpNewWeights()
    {
        var random = new Random(5);
        const int M = 20, N = 96, K = 40;
        float[] a = GemmTests.RandomArray(random, M * K);
        float[] w = GemmTests.RandomArray(random, N * K); // W [n, k], used as Wᵀ
        var packed = new PackedMatrix();
        packed.Pack(true, K, N, w, K);
        int capacity = packed.Capacity;
        Assert.Equal((K, N), (packed.K, packed.N));

        // An "optimizer step" changes W: the packed copy is stale until re-packed, and re-packing does not grow.
        for (int i = 0; i < w.Length; i++)
        {
            w[i] *= -2f;
        }

        float[] expected = new float[M * N];
        Gemm.Multiply(false, true, M, N, K, 1f, a, K, w, K, 0f, expected, N);
        float[] c = new float[M * N];
        Gemm.Multiply(false, M, 1f, a, K, packed, 0f, c, N);
        Assert.NotEqual(expected, c);
        packed.Pack(true, K, N, w, K);
        Assert.Equal(capacity, packed.Capacity);
        Gemm.Multiply(false, M, 1f, a, K, packed, 0f, c, N);
        Assert.Equal(expected, c);

        // A smaller matrix fits in the same buffer.
        packed.Pack(false, 7, 9, w, 9);
        Assert.Equal(capacity, packed.Capacity);
        Assert.Equal((7, 9), (packed.K, packed.N));
        float[] small = new float[3 * 9];
        float[] smallExpected = new float[3 * 9];
        Gemm.Multiply(false, false, 3, 9, 7, 1f, a, 7, w, 9, 0f, smallExpected, 9);
        Gemm.Multiply(false, 3, 1f, a, 7, packed, 0f, small, 9);
        Assert.Equal(smallExpected, small);
    }

    [Fact]
    public void Multiply_Packed_AllocatesNothingInSteadyState()
    {
        var random = new Random(6);
        const int M = 20, N = 800, K = 200;
        float[] a = GemmTests.RandomArray(random, M * K);
        float[] w = GemmTests.RandomArray(random, N * K);
        float[] c = new float[M * N];
        var forward = new PackedMatrix();
        var backward = new PackedMatrix();
        forward.Pack(true, K, N, w, K);   // Wᵀ: h·W_hhᵀ
        backward.Pack(false, N, K, w, K); // W: dPre·W_hh
        float[] dh = new float[M * K];
        Gemm.Multiply(false, M, 1f, a, K, forward, 0f, c, N); // warm-up (this thread's A pack buffer)
        Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                forward.Pack(true, K, N, w, K);
                backward.Pack(false, N, K, w, K);
                Gemm.Multiply(false, M, 1f, a, K, forward, 0f, c, N);
                Gemm.Multiply(false, M, 1f, c, N, backward, 1f, dh, K);
            }
        }));
    }

    [Theory]
    [InlineData(0f, 0.5f)]
    [InlineData(0f, 0f)]
    [InlineData(1f, 2f)]
    public void Multiply_Packed_ZeroAlphaOrZeroK_ScalesC(float alpha, float beta)
    {
        var random = new Random(3);
        const int M = 5, N = 6;
        float[] c = GemmTests.RandomArray(random, M * N);
        float[] expected = c.Select(v => beta * v).ToArray();
        int k = alpha == 0f ? 4 : 0;
        var packed = new PackedMatrix();
        packed.Pack(false, k, N, GemmTests.RandomArray(random, Math.Max(k, 1) * N), N);
        Gemm.Multiply(false, M, alpha, GemmTests.RandomArray(random, M * Math.Max(k, 1)), Math.Max(k, 1), packed, beta, c, N);
        Assert.Equal(expected, c);
    }

    [Property(MaxTest = 30)]
    public Property Multiply_Packed_RandomShapes_MatchUnpacked()
    {
        Gen<(int, int, int, bool, bool, int)> gen =
            from m in Gen.Choose(1, 40)
            from n in Gen.Choose(1, 70)
            from k in Gen.Choose(1, 300)
            from ta in Gen.Elements(false, true)
            from tb in Gen.Elements(false, true)
            from seed in Gen.Choose(0, int.MaxValue)
            select (m, n, k, ta, tb, seed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            (int m, int n, int k, bool ta, bool tb, int seed) = t;
            CheckCase(new Random(seed), new PackedMatrix(), SimdTiers.Best, 1, ta, tb, m, n, k, 1.25f, 0.5f, extraLd: seed % 3);
        });
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MultiplyColumns_IsBitwiseEqualToTheSameColumnsOfTheWholeProduct(int tierValue)
    {
        // The gang time loop splits each step's product into panel-aligned column ranges, one per thread.
        var tier = (SimdTier)tierValue;
        var random = new Random(31);
        const int M = 21, N = 250, K = 200;
        int nr = Gemm.TileFor(tier).NR;
        float[] a = GemmTests.RandomArray(random, M * K);
        float[] b = GemmTests.RandomArray(random, N * K);
        float[] c0 = GemmTests.RandomArray(random, M * N);
        var packed = new PackedMatrix();
        packed.Pack(tier, true, K, N, b, K);
        foreach (float beta in new[] { 0f, 1f })
        {
            float[] whole = (float[])c0.Clone();
            Gemm.Multiply(1, false, M, 1f, a, K, packed, beta, whole, N);
            foreach ((int first, int last) in new[] { (0, 1), (0, 2), (1, 3), (2, N / nr), (N / nr, (N + nr - 1) / nr) })
            {
                int j0 = first * nr, j1 = Math.Min(N, last * nr);
                float[] c = (float[])c0.Clone();
                Gemm.MultiplyColumns(2, false, M, 1f, a, K, packed, j0, j1 - j0, beta, default, c.AsSpan(j0), N);
                for (int i = 0; i < M; i++)
                {
                    Assert.Equal(whole.AsSpan((i * N) + j0, j1 - j0).ToArray(), c.AsSpan((i * N) + j0, j1 - j0).ToArray());
                    Assert.Equal(c0.AsSpan(i * N, j0).ToArray(), c.AsSpan(i * N, j0).ToArray()); // nothing outside the range is written
                    Assert.Equal(c0.AsSpan((i * N) + j1, N - j1).ToArray(), c.AsSpan((i * N) + j1, N - j1).ToArray());
                }
            }
        }

        float[] any = new float[M * N];
        if (nr > 1)
        {
            GemmTests.AssertParam("column0", () => Gemm.MultiplyColumns(1, false, M, 1f, a, K, packed, 1, nr, 0f, default, any, N));
        }

        GemmTests.AssertParam("column0", () => Gemm.MultiplyColumns(1, false, M, 1f, a, K, packed, 0, N + 1, 0f, default, any, N));
        GemmTests.AssertParam("column0", () => Gemm.MultiplyColumns(1, false, M, 1f, a, K, packed, -nr, nr, 0f, default, any, N));
    }

    [Theory]
    [MemberData(nameof(GemmTests.Tiers), MemberType = typeof(GemmTests))]
    public void MultiplyColumns_WithBias_IsBitwiseEqualToBroadcastingTheBiasFirst(int tierValue)
    {
        var tier = (SimdTier)tierValue;
        var random = new Random(32);
        const int M = 21, N = 250, K = 200;
        int nr = Gemm.TileFor(tier).NR;
        float[] a = GemmTests.RandomArray(random, M * K);
        float[] b = GemmTests.RandomArray(random, N * K);
        float[] bias = GemmTests.RandomArray(random, N);
        var packed = new PackedMatrix();
        packed.Pack(tier, true, K, N, b, K);
        foreach (float beta in new[] { 1f, 0.5f })
        {
            foreach ((int j0, int j1) in new[] { (0, N), (nr, N), (0, Math.Min(N, 2 * nr)) })
            {
                float[] expected = GemmTests.RandomArray(random, M * N);
                float[] c = (float[])expected.Clone();
                for (int i = 0; i < M; i++)
                {
                    bias.AsSpan(j0, j1 - j0).CopyTo(expected.AsSpan((i * N) + j0));
                }

                Gemm.MultiplyColumns(1, false, M, 1f, a, K, packed, j0, j1 - j0, beta, default, expected.AsSpan(j0), N);
                Gemm.MultiplyColumns(1, false, M, 1f, a, K, packed, j0, j1 - j0, beta, bias.AsSpan(j0, j1 - j0), c.AsSpan(j0), N);
                Assert.Equal(expected, c);
            }
        }
    }

    [Fact]
    public void Pack_And_Multiply_ValidateArguments()
    {
        var packed = new PackedMatrix();
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        Assert.Throws<InvalidOperationException>(() => Gemm.Multiply(false, 2, 1f, a, 3, packed, 0f, c, 2));
        Assert.Throws<ArgumentNullException>(() => Gemm.Multiply(false, 2, 1f, a, 3, null!, 0f, c, 2));
        GemmTests.AssertParam("k", () => packed.Pack(false, -1, 2, b, 2));
        GemmTests.AssertParam("n", () => packed.Pack(false, 3, -2, b, 2));
        GemmTests.AssertParam("ldb", () => packed.Pack(false, 3, 2, b, 1));
        GemmTests.AssertParam("ldb", () => packed.Pack(true, 3, 2, b, 2));
        GemmTests.AssertParam("b", () => packed.Pack(false, 3, 2, b.AsSpan(0, 5), 2));
        Assert.False(packed.IsPacked);

        packed.Pack(false, 3, 2, b, 2); // op(B) [3, 2]
        Assert.True(packed.IsPacked);
        AssertParamAndUnchanged(c, "m", () => Gemm.Multiply(false, -1, 1f, a, 3, packed, 0f, c, 2));
        AssertParamAndUnchanged(c, "lda", () => Gemm.Multiply(false, 2, 1f, a, 2, packed, 0f, c, 2));
        AssertParamAndUnchanged(c, "lda", () => Gemm.Multiply(true, 2, 1f, a, 1, packed, 0f, c, 2));
        AssertParamAndUnchanged(c, "a", () => Gemm.Multiply(false, 2, 1f, a.AsSpan(0, 5), 3, packed, 0f, c, 2));
        AssertParamAndUnchanged(c, "ldc", () => Gemm.Multiply(false, 2, 1f, a, 3, packed, 0f, c, 1));
        AssertParamAndUnchanged(c, "c", () => Gemm.Multiply(false, 2, 1f, a, 3, packed, 0f, c.AsSpan(0, 3), 2));
        float[] shared = new float[20];
        GemmTests.AssertParam("c", () => Gemm.Multiply(false, 2, 1f, shared.AsSpan(0, 6), 3, packed, 0f, shared.AsSpan(4, 4), 2));
    }

    private static void AssertParamAndUnchanged(float[] c, string name, Action action)
    {
        float[] before = (float[])c.Clone();
        GemmTests.AssertParam(name, action);
        Assert.Equal(before, c);
    }

    /// <summary>
    /// One packed product on sub-matrix views (offsets, leading dimensions <paramref name="extraLd"/> wider than
    /// the rows, sentinels in the gaps): bitwise equal to the unpacked call, within the error bound of the double
    /// reference, and nothing outside C written.
    /// </summary>
    private static void CheckCase(
        Random random, PackedMatrix packed, SimdTier tier, int threads, bool transA, bool transB, int m, int n, int k,
        float alpha, float beta, int extraLd)
    {
        (int aRows, int aCols) = transA ? (k, m) : (m, k);
        (int bRows, int bCols) = transB ? (n, k) : (k, n);
        int lda = aCols + extraLd, ldb = bCols + extraLd, ldc = n + extraLd;
        const int Offset = 3;
        float[] aBuf = GemmTests.RandomArray(random, Offset + (aRows * lda));
        float[] bBuf = GemmTests.RandomArray(random, Offset + (bRows * ldb));
        float[] cBuf = GemmTests.RandomArray(random, Offset + (m * ldc) + 2);
        for (int i = 0; i < cBuf.Length; i++)
        {
            int rel = i - Offset;
            if (rel < 0 || rel >= m * ldc || rel % ldc >= n)
            {
                cBuf[i] = Sentinel;
            }
        }

        float[] c0 = (float[])cBuf.Clone();
        ReadOnlySpan<float> a = aBuf.AsSpan(Offset, ((aRows - 1) * lda) + aCols);
        ReadOnlySpan<float> b = bBuf.AsSpan(Offset, ((bRows - 1) * ldb) + bCols);
        float[] expected = (float[])cBuf.Clone();
        Gemm.Multiply(tier, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected.AsSpan(Offset), ldc);

        packed.Pack(tier, transB, k, n, b, ldb);
        Assert.Equal(tier, packed.Tier);
        Gemm.Multiply(threads, transA, m, alpha, a, lda, packed, beta, cBuf.AsSpan(Offset), ldc);
        string label = $"{tier} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} m={m} n={n} k={k} alpha={alpha} beta={beta} ld+{extraLd}";
        for (int i = 0; i < cBuf.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(cBuf[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                Assert.Fail($"{label}: element {i - Offset} = {cBuf[i]}, unpacked path gave {expected[i]}");
            }
        }

        // The double reference (the same error bound as GemmTests), on a sample of rows to keep the test fast.
        for (int i = 0; i < m; i += Math.Max(1, m / 7))
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
                double want = (alpha * sum) + (beta == 0f ? 0 : beta * cOld);
                double nn = k + 3, u = 1.0 / (1 << 24);
                double tol = (nn * u / (1 - (nn * u)) * ((Math.Abs(alpha) * magnitude) + Math.Abs(beta * cOld))) + 1e-30;
                double actual = cBuf[Offset + (i * ldc) + j];
                if (Math.Abs(actual - want) > tol)
                {
                    Assert.Fail($"{label}: C[{i},{j}] = {actual}, expected {want} ± {tol}");
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
