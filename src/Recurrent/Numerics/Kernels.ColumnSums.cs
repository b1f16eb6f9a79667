using System.Numerics.Tensors;

namespace Recurrent.Numerics;

internal static partial class Kernels
{
    /// <summary>Fewest elements (rows·cols) for which <see cref="AddColumnSums(ReadOnlySpan{float}, int, Span{float}, Span{float})"/> splits its columns over the worker pool.</summary>
    internal const long ParallelColumnSumsElements = 1L << 18;

    /// <summary>
    /// Adds the column sums of <paramref name="matrix"/> <c>[rows, cols]</c> (cols = <paramref name="sums"/>.Length)
    /// to <paramref name="sums"/> and, when it is not empty, to <paramref name="otherSums"/>: for every row in order,
    /// <c>sums += row</c> (then <c>otherSums += row</c>). Large matrices split their columns (on 16-float boundaries)
    /// over the worker pool; each column still adds its rows in order, so the bits do not depend on the thread count.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="matrix"/> is shorter than rows·cols, or <paramref name="otherSums"/> is neither empty nor cols long.</exception>
    public static unsafe void AddColumnSums(ReadOnlySpan<float> matrix, int rows, Span<float> sums, Span<float> otherSums = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int cols = sums.Length;
        if (matrix.Length < (long)rows * cols)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(matrix));
        }

        if (!otherSums.IsEmpty && otherSums.Length != cols)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(otherSums));
        }

        int threads = ComputeSettings.MaxDegreeOfParallelism;
        int parts = ColumnParts(threads, cols);
        if (parts > 1 && (long)rows * cols >= ParallelColumnSumsElements)
        {
            fixed (float* pm = matrix)
            fixed (float* ps = sums)
            fixed (float* po = otherSums)
            {
                ColumnSumsWork.Run(pm, rows, cols, ps, otherSums.IsEmpty ? null : po, parts, threads);
            }

            return;
        }

        AddColumnRange(matrix, rows, cols, 0, cols, sums, otherSums);
    }

    /// <summary>How many parts a column split over <paramref name="threads"/> threads takes: at most one per 16 columns.</summary>
    private static int ColumnParts(int threads, int columns) => Math.Max(1, Math.Min(threads, columns / 16));

    /// <summary>Part <paramref name="part"/>'s columns of a split into <paramref name="parts"/>: cut on 16-float (cache-line) boundaries, the last part to the end.</summary>
    internal static (int Start, int End) ColumnRange(int part, int parts, int columns)
    {
        int blocks = columns / 16;
        return (part * blocks / parts * 16, part == parts - 1 ? columns : (part + 1) * blocks / parts * 16);
    }

    /// <summary>Columns <c>[c0, c1)</c> of <see cref="AddColumnSums(ReadOnlySpan{float}, int, Span{float}, Span{float})"/>.</summary>
    private static void AddColumnRange(ReadOnlySpan<float> matrix, int rows, int cols, int c0, int c1, Span<float> sums, Span<float> otherSums)
    {
        int width = c1 - c0;
        Span<float> s = sums.Slice(c0, width);
        Span<float> o = otherSums.IsEmpty ? default : otherSums.Slice(c0, width);
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> row = matrix.Slice((n * cols) + c0, width);
            TensorPrimitives.Add(s, row, s);
            if (!o.IsEmpty)
            {
                TensorPrimitives.Add(o, row, o);
            }
        }
    }

    /// <summary>Column sums with the columns cut into one part per thread. One instance per calling thread; the pointers are valid only during a call.</summary>
    private sealed unsafe class ColumnSumsWork : IParallelWork
    {
        [ThreadStatic]
        private static ColumnSumsWork? t_instance;

        private float* _matrix, _sums, _otherSums;
        private int _rows, _cols, _parts;

        public static void Run(float* matrix, int rows, int cols, float* sums, float* otherSums, int parts, int threads)
        {
            ColumnSumsWork work = t_instance ??= new ColumnSumsWork();
            work._matrix = matrix;
            work._rows = rows;
            work._cols = cols;
            work._sums = sums;
            work._otherSums = otherSums;
            work._parts = parts;
            try
            {
                ParallelWork.Run(work, parts, threads);
            }
            finally
            {
                work._matrix = work._sums = work._otherSums = null;
            }
        }

        public void Run(int part)
        {
            (int c0, int c1) = ColumnRange(part, _parts, _cols);
            AddColumnRange(
                new ReadOnlySpan<float>(_matrix, _rows * _cols), _rows, _cols, c0, c1,
                new Span<float>(_sums, _cols), _otherSums == null ? default : new Span<float>(_otherSums, _cols));
        }
    }
}
