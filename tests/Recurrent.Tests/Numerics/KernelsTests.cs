using Recurrent.Numerics;

namespace Recurrent.Tests.Numerics;

/// <summary>The elementwise and row kernels against scalar references in double, over lengths 0–256.</summary>
public sealed class KernelsTests
{
    // Single-precision kernels vs double references: a handful of roundings per element, so a few ulps of the
    // magnitudes involved (1e-6 relative + 1e-6 absolute covers ≤ ~8 roundings of O(1) values).
    private const double Rel = 1e-6;

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 256; n++)
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TanhAndSigmoidBackward_MatchScalar(int length)
    {
        var random = new Random(length);
        float[] y = GemmTests.RandomArray(random, length);
        float[] dy = GemmTests.RandomArray(random, length);
        float[] dx = new float[length + 1];
        dx[length] = 77f;
        Kernels.TanhBackward(y, dy, dx);
        for (int i = 0; i < length; i++)
        {
            AssertClose(dy[i] * (1.0 - ((double)y[i] * y[i])), dx[i]);
        }

        Kernels.SigmoidBackward(y, dy, dx);
        for (int i = 0; i < length; i++)
        {
            AssertClose((double)dy[i] * y[i] * (1.0 - y[i]), dx[i]);
        }

        Assert.Equal(77f, dx[length]);

        // Exact in-place aliasing is allowed.
        float[] inPlace = (float[])dy.Clone();
        Kernels.TanhBackward(y, inPlace, inPlace);
        for (int i = 0; i < length; i++)
        {
            AssertClose(dy[i] * (1.0 - ((double)y[i] * y[i])), inPlace[i]);
        }
    }

    [Fact]
    public void ElementwiseKernels_Validate()
    {
        float[] buffer = new float[10];
        GemmTests.AssertParam("dy", () => Kernels.TanhBackward(new float[4], new float[3], new float[4]));
        GemmTests.AssertParam("dx", () => Kernels.SigmoidBackward(new float[4], new float[4], new float[3]));
        GemmTests.AssertParam("dx", () => Kernels.TanhBackward(buffer.AsSpan(0, 4), new float[4], buffer.AsSpan(1, 4)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(2, 17)]
    [InlineData(4, 33)]
    public void LstmPointwise_MatchesScalarReference(int rows, int hidden)
    {
        var random = new Random((rows * 100) + hidden);
        int n = rows * hidden;
        float[] pre = GemmTests.RandomArray(random, 4 * n).Select(v => v * 3).ToArray();
        float[] cPrev = GemmTests.RandomArray(random, n);
        float[] gates = (float[])pre.Clone();
        float[] c = new float[n], tanhC = new float[n], h = new float[n];
        Kernels.LstmForwardPointwise(hidden, gates, cPrev, c, tanhC, h);

        float[] dh = GemmTests.RandomArray(random, n);
        float[] dcNext = GemmTests.RandomArray(random, n);
        float[] dGates = new float[4 * n], dcPrev = new float[n];
        Kernels.LstmBackwardPointwise(hidden, gates, cPrev, tanhC, dh, dcNext, dGates, dcPrev);

        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = (b * 4 * hidden) + j;
                int k = (b * hidden) + j;
                double i = Sigmoid(pre[g]), f = Sigmoid(pre[g + hidden]), gg = Math.Tanh(pre[g + (2 * hidden)]), o = Sigmoid(pre[g + (3 * hidden)]);
                double cc = (f * cPrev[k]) + (i * gg);
                double tc = Math.Tanh(cc);
                AssertClose(i, gates[g]);
                AssertClose(f, gates[g + hidden]);
                AssertClose(gg, gates[g + (2 * hidden)]);
                AssertClose(o, gates[g + (3 * hidden)]);
                AssertClose(cc, c[k]);
                AssertClose(tc, tanhC[k]);
                AssertClose(o * tc, h[k]);

                double dc = dcNext[k] + (dh[k] * o * (1 - (tc * tc)));
                AssertClose(dc * gg * i * (1 - i), dGates[g]);
                AssertClose(dc * cPrev[k] * f * (1 - f), dGates[g + hidden]);
                AssertClose(dc * i * (1 - (gg * gg)), dGates[g + (2 * hidden)]);
                AssertClose(dh[k] * tc * o * (1 - o), dGates[g + (3 * hidden)]);
                AssertClose(dc * f, dcPrev[k]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(2, 17)]
    [InlineData(4, 33)]
    public void GruPointwise_MatchesScalarReference(int rows, int hidden)
    {
        var random = new Random((rows * 100) + hidden);
        int n = rows * hidden;
        float[] gx = GemmTests.RandomArray(random, 3 * n).Select(v => v * 2).ToArray();
        float[] gh = GemmTests.RandomArray(random, 3 * n).Select(v => v * 2).ToArray();
        float[] hPrev = GemmTests.RandomArray(random, n);
        float[] gates = new float[3 * n], h = new float[n];
        Kernels.GruForwardPointwise(hidden, gx, gh, hPrev, gates, h);

        float[] dh = GemmTests.RandomArray(random, n);
        float[] dgx = new float[3 * n], dgh = new float[3 * n], dhPrev = new float[n];
        Kernels.GruBackwardPointwise(hidden, gates, gh, hPrev, dh, dgx, dgh, dhPrev);

        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = (b * 3 * hidden) + j;
                int k = (b * hidden) + j;
                double r = Sigmoid(gx[g] + (double)gh[g]);
                double z = Sigmoid(gx[g + hidden] + (double)gh[g + hidden]);
                double nn = Math.Tanh(gx[g + (2 * hidden)] + (r * gh[g + (2 * hidden)]));
                AssertClose(r, gates[g]);
                AssertClose(z, gates[g + hidden]);
                AssertClose(nn, gates[g + (2 * hidden)]);
                AssertClose(((1 - z) * nn) + (z * hPrev[k]), h[k]);

                double dn = dh[k] * (1 - z) * (1 - (nn * nn));
                double dr = dn * gh[g + (2 * hidden)] * r * (1 - r);
                double dz = dh[k] * (hPrev[k] - nn) * z * (1 - z);
                AssertClose(dr, dgx[g]);
                AssertClose(dz, dgx[g + hidden]);
                AssertClose(dn, dgx[g + (2 * hidden)]);
                AssertClose(dr, dgh[g]);
                AssertClose(dz, dgh[g + hidden]);
                AssertClose(dn * r, dgh[g + (2 * hidden)]);
                AssertClose(dh[k] * z, dhPrev[k]);
            }
        }
    }

    [Fact]
    public void CellPointwise_Validate()
    {
        float[] x = new float[8];
        GemmTests.AssertParam("hiddenSize", () => Kernels.LstmForwardPointwise(0, new float[8], x.AsSpan(0, 2), x.AsSpan(0, 2), x.AsSpan(0, 2), x.AsSpan(0, 2)));
        GemmTests.AssertParam("gates", () => Kernels.LstmForwardPointwise(2, new float[7], x.AsSpan(0, 2), x.AsSpan(0, 2), x.AsSpan(0, 2), x.AsSpan(0, 2)));
        GemmTests.AssertParam("c", () => Kernels.LstmForwardPointwise(2, new float[8], x.AsSpan(0, 2), x.AsSpan(0, 3), x.AsSpan(0, 2), x.AsSpan(0, 2)));
        GemmTests.AssertParam("dcPrev", () => Kernels.LstmBackwardPointwise(2, new float[8], x.AsSpan(0, 2), x.AsSpan(0, 2), x.AsSpan(0, 2), [], new float[8], x.AsSpan(0, 1)));
        GemmTests.AssertParam("gh", () => Kernels.GruForwardPointwise(2, new float[6], new float[5], x.AsSpan(0, 2), new float[6], x.AsSpan(0, 2)));
        GemmTests.AssertParam("dhPrev", () => Kernels.GruBackwardPointwise(2, new float[6], new float[6], x.AsSpan(0, 2), x.AsSpan(0, 2), new float[6], new float[6], x.AsSpan(0, 3)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 64)]
    [InlineData(4, 600)]
    [InlineData(2, 1025)]
    public void SoftmaxCrossEntropy_MatchesDoubleReference(int rows, int vocabulary)
    {
        var random = new Random((rows * 7919) + vocabulary);
        float[] logits = GemmTests.RandomArray(random, rows * vocabulary).Select(v => (v * 8) + 30).ToArray();
        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(vocabulary)).ToArray();
        float[] mask = Enumerable.Range(0, rows).Select(i => i % 3 == 1 ? 0f : 1f + (i * 0.5f)).ToArray();
        targets[Math.Min(1, rows - 1)] = mask[Math.Min(1, rows - 1)] == 0f ? -5 : targets[Math.Min(1, rows - 1)]; // masked rows may hold any id
        const float Scale = 0.25f;
        float[] d = new float[rows * vocabulary];
        double loss = Kernels.SoftmaxCrossEntropy(logits, vocabulary, targets, mask, d, Scale);
        double lossOnly = Kernels.SoftmaxCrossEntropy(logits, vocabulary, targets, mask, [], Scale);

        double expected = 0;
        for (int n = 0; n < rows; n++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int v = 0; v < vocabulary; v++)
            {
                max = Math.Max(max, logits[(n * vocabulary) + v]);
            }

            for (int v = 0; v < vocabulary; v++)
            {
                sum += Math.Exp(logits[(n * vocabulary) + v] - max);
            }

            for (int v = 0; v < vocabulary; v++)
            {
                double p = Math.Exp(logits[(n * vocabulary) + v] - max) / sum;
                double g = mask[n] == 0f ? 0 : Scale * mask[n] * (p - (v == targets[n] ? 1 : 0));
                Assert.True(Math.Abs(g - d[(n * vocabulary) + v]) <= 1e-6 * (1 + Math.Abs(g)), $"d[{n},{v}] = {d[(n * vocabulary) + v]}, expected {g}");
            }

            if (mask[n] != 0f)
            {
                expected += mask[n] * (max + Math.Log(sum) - logits[(n * vocabulary) + targets[n]]);
            }
        }

        // Relative error of a float log-sum-exp over V terms: ~log2(V)·u on the sum, ~u·|max| on the logits.
        double tol = 1e-5 * (1 + Math.Abs(expected));
        Assert.True(Math.Abs(expected - loss) <= tol, $"loss {loss}, expected {expected}");
        Assert.Equal(loss, lossOnly); // the loss-only path sums in the same order

        // dlogits may alias logits exactly.
        float[] alias = (float[])logits.Clone();
        double aliasLoss = Kernels.SoftmaxCrossEntropy(alias, vocabulary, targets, mask, alias, Scale);
        Assert.Equal(loss, aliasLoss);
        Assert.Equal(d, alias);
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(5, 1003)]
    [InlineData(4, 4000)]
    public void SoftmaxCrossEntropy_WithBias_EqualsBiasAddedFirst(int rows, int vocabulary)
    {
        // The bias is added on the fly; the result must be the same bits as adding it to every row beforehand.
        var random = new Random(rows + vocabulary);
        float[] logits = new float[rows * vocabulary];
        float[] bias = new float[vocabulary];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)((random.NextDouble() - 0.5) * 8);
        }

        for (int j = 0; j < vocabulary; j++)
        {
            bias[j] = (float)(random.NextDouble() - 0.5);
        }

        int[] targets = new int[rows];
        float[] mask = new float[rows];
        for (int n = 0; n < rows; n++)
        {
            targets[n] = random.Next(vocabulary);
            mask[n] = n == 1 ? 0f : 1f;
        }

        float[] biased = new float[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            biased[i] = logits[i] + bias[i % vocabulary];
        }

        float[] expectedGrad = new float[logits.Length];
        double expected = Kernels.SoftmaxCrossEntropy(biased, vocabulary, targets, mask, expectedGrad, 0.5f);
        double expectedLossOnly = Kernels.SoftmaxCrossEntropy(biased, vocabulary, targets, mask, default, 0.5f);
        double lossOnly = Kernels.SoftmaxCrossEntropy(logits, bias, vocabulary, targets, mask, default, 0.5f);
        double loss = Kernels.SoftmaxCrossEntropy(logits, bias, vocabulary, targets, mask, logits, 0.5f); // in place
        Assert.Equal(expected, expectedLossOnly);
        Assert.Equal(expected, lossOnly);
        Assert.Equal(expected, loss);
        Assert.Equal(expectedGrad, logits);
    }

    [Theory]
    [InlineData(1120, 4000)] // the word-b32 decoder's bias gradient
    [InlineData(300, 1000)]  // columns not a multiple of 16 per part
    [InlineData(70, 4003)]
    [InlineData(5, 37)]      // below the split threshold
    public void AddColumnSums_ColumnsSplitOverThreads_SameBitsAsRowOrder(int rows, int cols)
    {
        var random = new Random(rows + cols);
        float[] matrix = GemmTests.RandomArray(random, rows * cols);
        float[] start = GemmTests.RandomArray(random, cols);
        float[] otherStart = GemmTests.RandomArray(random, cols);

        // Reference: every column adds its rows in order, one float addition each.
        float[] expected = (float[])start.Clone();
        float[] otherExpected = (float[])otherStart.Clone();
        for (int n = 0; n < rows; n++)
        {
            for (int j = 0; j < cols; j++)
            {
                expected[j] += matrix[(n * cols) + j];
                otherExpected[j] += matrix[(n * cols) + j];
            }
        }

        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            foreach (int threads in new[] { 1, 2, 3, 8 })
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                float[] sums = (float[])start.Clone();
                Kernels.AddColumnSums(matrix, rows, sums);
                Assert.Equal(expected, sums);

                float[] both = (float[])start.Clone();
                float[] other = (float[])otherStart.Clone();
                Kernels.AddColumnSums(matrix, rows, both, other);
                Assert.Equal(expected, both);
                Assert.Equal(otherExpected, other);
            }
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]              // one chunk
    [InlineData(65536 * 3)]         // whole chunks
    [InlineData((65536 * 5) + 123)] // a ragged last chunk
    public void SumOfSquares_MatchesDoubleReference_SameBitsOnAnyThreadCount(int length)
    {
        var random = new Random(length + 3);
        float[] x = GemmTests.RandomArray(random, length);
        double expected = 0;
        foreach (float v in x)
        {
            expected += (double)v * v;
        }

        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            ComputeSettings.MaxDegreeOfParallelism = 1;
            double one = Kernels.SumOfSquares(x);

            // Each chunk sums at most 65,536 squares in float: relative error well under 1e-5.
            Assert.True(Math.Abs(one - expected) <= 1e-5 * expected, $"{one} vs {expected}");
            foreach (int threads in new[] { 2, 3, 8 })
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                Assert.Equal(one, Kernels.SumOfSquares(x));
            }
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void SumOfSquares_OverflowingChunkIsInfinite_NaNPropagates()
    {
        float[] x = new float[(65536 * 2) + 5];
        x[70000] = 3e20f; // its square overflows float
        Assert.True(double.IsPositiveInfinity(Kernels.SumOfSquares(x)));
        x[70000] = float.NaN;
        Assert.True(double.IsNaN(Kernels.SumOfSquares(x)));
    }

    [Fact]
    public void AddColumnSums_Validates()
    {
        GemmTests.AssertParam("matrix", () => Kernels.AddColumnSums(new float[5], 2, new float[3]));
        GemmTests.AssertParam("otherSums", () => Kernels.AddColumnSums(new float[6], 2, new float[3], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.AddColumnSums(new float[6], -1, new float[3]));
    }

    [Theory]
    [InlineData(70, 4000)]   // above the split threshold: rows run in parts over the pool
    [InlineData(1100, 250)]
    [InlineData(3, 100000)]  // fewer rows than parts
    public void SoftmaxCrossEntropy_RowsSplitOverThreads_SameBitsAsOneThread(int rows, int vocabulary)
    {
        Assert.True((long)rows * vocabulary >= Kernels.ParallelSoftmaxElements);
        var random = new Random(rows ^ vocabulary);
        float[] logits = GemmTests.RandomArray(random, rows * vocabulary).Select(v => v * 6).ToArray();
        float[] bias = GemmTests.RandomArray(random, vocabulary);
        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(vocabulary)).ToArray();
        float[] mask = Enumerable.Range(0, rows).Select(i => i % 5 == 2 ? 0f : 1f).ToArray();
        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            (double Loss, double LossOnly, float[] Grad) Run(int threads)
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                float[] grad = new float[logits.Length];
                double loss = Kernels.SoftmaxCrossEntropy(logits, bias, vocabulary, targets, mask, grad, 0.5f);
                double lossOnly = Kernels.SoftmaxCrossEntropy(logits, bias, vocabulary, targets, mask, default, 0.5f);
                return (loss, lossOnly, grad);
            }

            var one = Run(1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                var many = Run(threads);
                Assert.Equal(one.Loss, many.Loss);
                Assert.Equal(one.LossOnly, many.LossOnly);
                Assert.Equal(one.Grad, many.Grad);
            }

            Assert.Equal(one.Loss, one.LossOnly);
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_Validates()
    {
        float[] logits = new float[6];
        GemmTests.AssertParam("vocabularySize", () => Kernels.SoftmaxCrossEntropy(logits, 0, [0], [], [], 1f));
        GemmTests.AssertParam("logits", () => Kernels.SoftmaxCrossEntropy(logits, 4, [0, 1], [], [], 1f));
        GemmTests.AssertParam("mask", () => Kernels.SoftmaxCrossEntropy(logits, 3, [0, 1], [1f], [], 1f));
        GemmTests.AssertParam("dlogits", () => Kernels.SoftmaxCrossEntropy(logits, 3, [0, 1], [], new float[5], 1f));
        GemmTests.AssertParam("targets", () => Kernels.SoftmaxCrossEntropy(logits, 3, [0, 3], [], [], 1f));
        float[] shared = new float[8];
        GemmTests.AssertParam("dlogits", () => Kernels.SoftmaxCrossEntropy(shared.AsSpan(0, 6), 3, [0, 1], [], shared.AsSpan(1, 6), 1f));
    }

    [Fact]
    public void GatherAndScatterAdd_RepeatedIdsSumInOrder()
    {
        const int Columns = 19;
        var random = new Random(5);
        float[] table = GemmTests.RandomArray(random, 7 * Columns);
        int[] ids = [3, 0, 3, 6, 3];
        float[] gathered = new float[ids.Length * Columns];
        Kernels.GatherRows(table, Columns, ids, gathered);
        for (int i = 0; i < ids.Length; i++)
        {
            Assert.Equal(table.AsSpan(ids[i] * Columns, Columns).ToArray(), gathered.AsSpan(i * Columns, Columns).ToArray());
        }

        float[] source = GemmTests.RandomArray(random, ids.Length * Columns);
        float[] grad = GemmTests.RandomArray(random, 7 * Columns);
        float[] expected = (float[])grad.Clone();
        for (int i = 0; i < ids.Length; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                expected[(ids[i] * Columns) + j] += source[(i * Columns) + j]; // the same float order as the kernel
            }
        }

        Kernels.ScatterAddRows(source, ids, grad, Columns);
        Assert.Equal(expected, grad);
    }

    [Theory]
    [InlineData(4096, 2048, 65)] // char-m's first layer: dxg summed per id, and its projections gathered by id
    [InlineData(3000, 100, 7)]   // columns not a multiple of 16 per part
    public void GatherAndScatterAdd_SplitOverThreads_SameBitsAsInOrder(int rows, int columns, int tableRows)
    {
        Assert.True((long)rows * columns >= Kernels.ParallelRowsElements);
        var random = new Random(rows + columns);
        float[] table = GemmTests.RandomArray(random, tableRows * columns);
        int[] ids = [.. Enumerable.Range(0, rows).Select(_ => random.Next(tableRows))];
        float[] source = GemmTests.RandomArray(random, rows * columns);
        float[] start = GemmTests.RandomArray(random, tableRows * columns);
        float[] expected = (float[])start.Clone();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                expected[(ids[i] * columns) + j] += source[(i * columns) + j];
            }
        }

        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                float[] gathered = new float[rows * columns];
                Kernels.GatherRows(table, columns, ids, gathered);
                for (int i = 0; i < rows; i += 97)
                {
                    Assert.Equal(table.AsSpan(ids[i] * columns, columns).ToArray(), gathered.AsSpan(i * columns, columns).ToArray());
                }

                Assert.Equal(table.AsSpan(ids[^1] * columns, columns).ToArray(), gathered.AsSpan((rows - 1) * columns, columns).ToArray());
                float[] sums = (float[])start.Clone();
                Kernels.ScatterAddRows(source, ids, sums, columns);
                Assert.Equal(expected, sums);
            }
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void GatherAndScatterAdd_Validate()
    {
        float[] table = new float[12];
        GemmTests.AssertParam("columns", () => Kernels.GatherRows(table, -1, [0], new float[4]));
        GemmTests.AssertParam("ids", () => Kernels.GatherRows(table, 4, [3], new float[4]));
        GemmTests.AssertParam("ids", () => Kernels.GatherRows(table, 4, [-1], new float[4]));
        GemmTests.AssertParam("destination", () => Kernels.GatherRows(table, 4, [0, 1], new float[7]));
        GemmTests.AssertParam("destination", () => Kernels.GatherRows(table, 4, [0], table.AsSpan(8)));
        GemmTests.AssertParam("source", () => Kernels.ScatterAddRows(new float[3], [0], table, 4));
        GemmTests.AssertParam("ids", () => Kernels.ScatterAddRows(new float[4], [3], table, 4));
        GemmTests.AssertParam("table", () => Kernels.ScatterAddRows(table.AsSpan(0, 4), [2], table, 4));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(33, 65)]
    [InlineData(64, 200)]
    public void MatVec_MatchesDoubleReference(int m, int n)
    {
        var random = new Random((m * 1000) + n);
        int lda = n + 3;
        float[] a = GemmTests.RandomArray(random, m * lda);
        foreach (bool trans in new[] { false, true })
        {
            foreach (float beta in new[] { 0f, 1f, -0.5f })
            {
                float[] x = GemmTests.RandomArray(random, trans ? m : n);
                float[] y0 = GemmTests.RandomArray(random, trans ? n : m);
                float[] y = (float[])y0.Clone();
                Gemm.MatVec(trans, m, n, a, lda, x, beta, y);
                for (int r = 0; r < y.Length; r++)
                {
                    double sum = 0, magnitude = 0;
                    int len = trans ? m : n;
                    for (int p = 0; p < len; p++)
                    {
                        double av = trans ? a[(p * lda) + r] : a[(r * lda) + p];
                        sum += av * x[p];
                        magnitude += Math.Abs(av * x[p]);
                    }

                    double expected = sum + (beta == 0f ? 0 : beta * y0[r]);
                    double tol = (len + 3) * Math.Pow(2, -24) * (magnitude + Math.Abs(beta * y0[r])) * 1.01;
                    Assert.True(Math.Abs(expected - y[r]) <= tol, $"y[{r}] = {y[r]}, expected {expected}");
                }
            }
        }
    }

    [Fact]
    public void MatVec_Validates()
    {
        float[] a = new float[6];
        GemmTests.AssertParam("m", () => Gemm.MatVec(false, -1, 3, a, 3, new float[3], 0f, new float[2]));
        GemmTests.AssertParam("lda", () => Gemm.MatVec(false, 2, 3, a, 2, new float[3], 0f, new float[2]));
        GemmTests.AssertParam("a", () => Gemm.MatVec(false, 2, 3, a.AsSpan(0, 5), 3, new float[3], 0f, new float[2]));
        GemmTests.AssertParam("x", () => Gemm.MatVec(false, 2, 3, a, 3, new float[2], 0f, new float[2]));
        GemmTests.AssertParam("y", () => Gemm.MatVec(true, 2, 3, a, 3, new float[2], 0f, new float[2]));
        GemmTests.AssertParam("y", () => Gemm.MatVec(false, 2, 3, a, 3, new float[3], 0f, a.AsSpan(4, 2)));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void AssertClose(double expected, float actual)
    {
        if (Math.Abs(expected - actual) > (Rel * Math.Abs(expected)) + 1e-6)
        {
            Assert.Fail($"got {actual}, expected {expected}");
        }
    }
}
