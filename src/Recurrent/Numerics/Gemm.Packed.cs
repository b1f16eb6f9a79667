namespace Recurrent.Numerics;

/// <summary>Products with a pre-packed B operand (<see cref="PackedMatrix"/>).</summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Computes <c>C = alpha·op(A)·B + beta·C</c> where B is a <see cref="PackedMatrix"/> holding op(B) [k, n]
    /// (k = <see cref="PackedMatrix.K"/>, n = <see cref="PackedMatrix.N"/>). op(A) is [m, k]: A is stored [m, k]
    /// (<paramref name="lda"/> ≥ k) or, when <paramref name="transA"/> is true, [k, m] (<paramref name="lda"/> ≥ m).
    /// C is [m, n] with <paramref name="ldc"/> ≥ n.
    /// </summary>
    /// <remarks>
    /// Effectively computes the same as <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// with the matrix that was packed, <b>bitwise</b> (same tiles, same K blocks, same operation order, and the
    /// same independence of <see cref="ComputeSettings.MaxDegreeOfParallelism"/>), but without copying B on each
    /// call. It runs at the tier the matrix was packed for. Allocates nothing.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="b"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="b"/> has not been packed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is negative.</exception>
    /// <exception cref="ArgumentException">A leading dimension is smaller than its row width, a span is too short
    /// for its matrix, or <paramref name="c"/> overlaps <paramref name="a"/>.</exception>
    public static void Multiply(
        bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc) =>
        Multiply(ComputeSettings.MaxDegreeOfParallelism, transA, m, alpha, a, lda, b, beta, c, ldc);

    /// <summary>
    /// <see cref="Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/> with a
    /// given thread budget.
    /// </summary>
    internal static void Multiply(
        int maxDegreeOfParallelism, bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        MultiplyColumns(maxDegreeOfParallelism, transA, m, alpha, a, lda, b, 0, b.N, beta, default, c, ldc);
    }

    /// <summary>
    /// Columns <c>[column0, column0 + columns)</c> of
    /// <see cref="Multiply(int, bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>:
    /// <paramref name="c"/> starts at that block's first element (row 0, column <paramref name="column0"/> of the
    /// whole product) and is [m, columns] with row stride <paramref name="ldc"/>. <paramref name="column0"/> must be a
    /// multiple of the packed panel width NR (<see cref="TileFor"/> of <see cref="PackedMatrix.Tier"/>), so that the
    /// block's tiles are tiles of the whole product: every element gets the same bits as in the whole product.
    /// </summary>
    /// <remarks>A non-empty <paramref name="bias"/> [columns] stands in for the old content of every row of the block, as in
    /// <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, ReadOnlySpan{float}, Span{float}, int)"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The column range is outside op(B) or does not start on a panel.</exception>
    internal static void MultiplyColumns(
        int maxDegreeOfParallelism, bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, int column0, int columns, float beta, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (!b.IsPacked)
        {
            ThrowHelper.ThrowInvalidOperation_NotPacked();
        }

        if (m < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(m));
        }

        if (column0 < 0 || columns < 0 || column0 > b.N - columns || column0 % TileFor(b.Tier).NR != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(column0), $"Columns [{column0}, {column0} + {columns}) are not a panel-aligned range of the packed matrix's {b.N} columns.");
        }

        int n = columns, k = b.K;
        long aLength = CheckMatrix(transA ? k : m, transA ? m : k, lda, a.Length, nameof(a), nameof(lda));
        long cLength = CheckMatrix(m, n, ldc, c.Length, nameof(c), nameof(ldc));
        if (m == 0 || n == 0)
        {
            return;
        }

        if (((ReadOnlySpan<float>)c[..(int)cLength]).Overlaps(a[..(int)aLength]))
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(c));
        }

        CheckBias(bias, n, c[..(int)cLength]);
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, bias, c, ldc);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            // B's own pointer is unused (the panels come from the packed buffer); ldb only has to look valid.
            var job = new GemmJob(b.Tier, transA, false, m, n, k, alpha, pa, lda, null, n, beta, pc, ldc, maxDegreeOfParallelism, b.Pointer, b.PaddedN)
            {
                PackedColumn0 = column0,
                Bias = bias.IsEmpty ? null : pbias,
            };
            RunAll(in job, maxDegreeOfParallelism);
        }

        GC.KeepAlive(b);
    }
}
