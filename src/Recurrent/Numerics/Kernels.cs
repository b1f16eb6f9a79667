using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Numerics;

/// <summary>
/// The elementwise and row kernels the models run on: fused softmax cross-entropy, embedding gather and
/// scatter-add, and (in <c>Kernels.Activations.cs</c>) the fused pointwise terms of the recurrent cells.
/// Inputs are validated once at the edge; the loops inside only assert.
/// </summary>
internal static partial class Kernels
{
    /// <summary>
    /// Log-softmax + negative log-likelihood (+ its gradient) over <c>N</c> rows of <c>V</c> logits.
    /// Effectively computes, for each row n with <c>mask[n] ≠ 0</c> (all rows when the mask is empty):
    /// <c>loss += mask[n]·(logsumexp(logits[n]) − logits[n, targets[n]])</c>, and when
    /// <paramref name="dlogits"/> is not empty, <c>dlogits[n] = gradScale·mask[n]·(softmax(logits[n]) − onehot(targets[n]))</c>
    /// (zero for masked rows). Numerically stable (max-subtracted). <paramref name="dlogits"/> may alias
    /// <paramref name="logits"/> exactly.
    /// </summary>
    /// <remarks>
    /// Per row: one max, one pass that computes exp(z − max) and sums it (written straight into
    /// <paramref name="dlogits"/>, or only summed when just the loss is wanted; see <see cref="ExpShiftedSum"/>), one
    /// scale. Targets of masked rows are not read, so padding may carry any id.
    /// </remarks>
    /// <returns>The summed (mask-weighted) loss in nats, accumulated in double.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is not positive, or the
    /// target of an unmasked row is outside [0, V).</exception>
    /// <exception cref="ArgumentException"><paramref name="logits"/>, <paramref name="mask"/> or
    /// <paramref name="dlogits"/> is too short, or <paramref name="dlogits"/> overlaps <paramref name="logits"/>
    /// other than exactly.</exception>
    public static double SoftmaxCrossEntropy(
        ReadOnlySpan<float> logits, int vocabularySize, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
        Span<float> dlogits, float gradScale) =>
        SoftmaxCrossEntropy(logits, default, vocabularySize, targets, mask, dlogits, gradScale);

    /// <summary>
    /// <see cref="SoftmaxCrossEntropy(ReadOnlySpan{float}, int, ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float}, float)"/>
    /// of <c>logits[n] + bias</c> (every row plus the same <paramref name="bias"/> [V]; none when empty), with the bias
    /// added on the fly: the output layer's product then writes its logits once (beta = 0) instead of reading a
    /// broadcast bias back from memory.
    /// </summary>
    public static double SoftmaxCrossEntropy(
        ReadOnlySpan<float> logits, ReadOnlySpan<float> bias, int vocabularySize, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
        Span<float> dlogits, float gradScale)
    {
        if (vocabularySize <= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_NotPositive(nameof(vocabularySize));
        }

        int rows = targets.Length;
        long total = (long)rows * vocabularySize;
        if (logits.Length < total)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(logits));
        }

        if (!mask.IsEmpty && mask.Length < rows)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(mask));
        }

        if (!bias.IsEmpty && bias.Length != vocabularySize)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(bias));
        }

        bool wantGrad = !dlogits.IsEmpty;
        if (wantGrad)
        {
            if (dlogits.Length < total)
            {
                ThrowHelper.ThrowArgument_SpanTooShort(nameof(dlogits));
            }

            ReadOnlySpan<float> used = logits[..(int)total];
            if (used.Overlaps(dlogits[..(int)total], out int offset) && offset != 0)
            {
                ThrowHelper.ThrowArgument_Overlap(nameof(dlogits));
            }
        }

        for (int n = 0; n < rows; n++)
        {
            float m = mask.IsEmpty ? 1f : mask[n];
            if (m != 0f && (uint)targets[n] >= (uint)vocabularySize)
            {
                ThrowHelper.ThrowArgumentOutOfRange_Index(nameof(targets));
            }
        }

        int threads = ComputeSettings.MaxDegreeOfParallelism;
        if (threads > 1 && rows >= 2 && total >= ParallelSoftmaxElements)
        {
            return SoftmaxCrossEntropyWork.Run(logits, bias, vocabularySize, targets, mask, dlogits, gradScale, threads);
        }

        double loss = 0;
        SoftmaxCrossEntropyRows(logits, bias, vocabularySize, targets, mask, dlogits, gradScale, 0, rows, ref loss, default);
        return loss;
    }

    /// <summary>Fewest logits (N·V) for which the softmax cross-entropy splits its rows over the worker pool.</summary>
    internal const long ParallelSoftmaxElements = 1L << 18;

    /// <summary>
    /// Rows <c>[r0, r1)</c> of the softmax cross-entropy (arguments validated by the caller). Each row's loss is added
    /// to <paramref name="loss"/> in row order, or, when <paramref name="rowLosses"/> is not empty, stored in
    /// <c>rowLosses[n − r0]</c> (0 for a masked row) for the caller to add in row order: the same additions either way.
    /// </summary>
    private static void SoftmaxCrossEntropyRows(
        ReadOnlySpan<float> logits, ReadOnlySpan<float> bias, int vocabularySize, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
        Span<float> dlogits, float gradScale, int r0, int r1, ref double loss, Span<double> rowLosses)
    {
        bool wantGrad = !dlogits.IsEmpty;
        int v = vocabularySize;
        for (int n = r0; n < r1; n++)
        {
            ReadOnlySpan<float> row = logits.Slice(n * v, v);
            float m = mask.IsEmpty ? 1f : mask[n];
            if (m == 0f)
            {
                if (wantGrad)
                {
                    dlogits.Slice(n * v, v).Clear();
                }

                if (!rowLosses.IsEmpty)
                {
                    rowLosses[n - r0] = 0;
                }

                continue;
            }

            int target = targets[n];
            float max = bias.IsEmpty ? TensorPrimitives.Max(row) : MaxOfSum(row, bias);
            float targetLogit = bias.IsEmpty ? row[target] : row[target] + bias[target]; // read before an aliased dlogits overwrites it
            float sum;
            if (wantGrad)
            {
                // d = exp(z + bias − max) with sum = Σ d in one pass; then d = scale·d/sum − scale·onehot: p − onehot, scaled.
                Span<float> d = dlogits.Slice(n * v, v);
                sum = ExpShiftedSum(row, bias, max, d);
                float scale = gradScale * m;
                TensorPrimitives.Multiply(d, scale / sum, d);
                d[target] -= scale;
            }
            else
            {
                sum = ExpShiftedSum(row, bias, max, default); // the same sum as with the gradient
            }

            // −log p[target] = log Σ exp(z − max) + max − z[target].
            double rowLoss = m * (Math.Log(sum) + ((double)max - targetLogit));
            if (rowLosses.IsEmpty)
            {
                loss += rowLoss;
            }
            else
            {
                rowLosses[n - r0] = rowLoss;
            }
        }
    }


    /// <summary>
    /// <c>e[i] = exp((x[i] + bias[i]) − max)</c> for every i (no bias when <paramref name="bias"/> is empty), stored in
    /// <paramref name="d"/> unless it is empty (it may be <paramref name="x"/> itself), and returns Σ e: one pass over
    /// the row with the widest vectors the machine accelerates and the exp of <see cref="Kernels"/>' activations (the
    /// same value at every width and in the scalar tail), one vector accumulator summed at the end, then the tail in
    /// order. The order does not depend on whether <paramref name="d"/> is written, so the loss-only path gives the
    /// same loss.
    /// </summary>
    private static float ExpShiftedSum(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, float max, Span<float> d)
    {
        int n = x.Length, i = 0;
        bool store = !d.IsEmpty, hasBias = !bias.IsEmpty;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pb = ref MemoryMarshal.GetReference(bias);
        ref float pd = ref MemoryMarshal.GetReference(d);
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<float> vmax = Vector512.Create(max), acc = Vector512<float>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> z = Vector512.LoadUnsafe(ref px, (nuint)i);
                if (hasBias)
                {
                    z += Vector512.LoadUnsafe(ref pb, (nuint)i);
                }

                Vector512<float> q = ExpReduce(z - vmax, out Vector512<float> scale);
                Vector512<float> e = Vector512.FusedMultiplyAdd(q, scale, scale);
                if (store)
                {
                    e.StoreUnsafe(ref pd, (nuint)i);
                }

                acc += e;
            }

            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<float> vmax = Vector256.Create(max), acc = Vector256<float>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> z = Vector256.LoadUnsafe(ref px, (nuint)i);
                if (hasBias)
                {
                    z += Vector256.LoadUnsafe(ref pb, (nuint)i);
                }

                Vector256<float> q = ExpReduce(z - vmax, out Vector256<float> scale);
                Vector256<float> e = Vector256.FusedMultiplyAdd(q, scale, scale);
                if (store)
                {
                    e.StoreUnsafe(ref pd, (nuint)i);
                }

                acc += e;
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            float z = hasBias ? x[i] + bias[i] : x[i];
            float q = ExpReduce(z - max, out float scale);
            float e = MathF.FusedMultiplyAdd(q, scale, scale);
            if (store)
            {
                d[i] = e;
            }

            sum += e;
        }

        return sum;
    }

    /// <summary>max over i of <c>x[i] + bias[i]</c>.</summary>
    private static float MaxOfSum(ReadOnlySpan<float> x, ReadOnlySpan<float> bias)
    {
        float max = float.NegativeInfinity;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            Vector512<float> m = Vector512.Create(float.NegativeInfinity);
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                m = Vector512.Max(m, Vector512.Create(x.Slice(i, Vector512<float>.Count)) + Vector512.Create(bias.Slice(i, Vector512<float>.Count)));
            }

            for (int j = 0; j < Vector512<float>.Count; j++)
            {
                max = MathF.Max(max, m[j]);
            }
        }

        for (; i < x.Length; i++)
        {
            max = MathF.Max(max, x[i] + bias[i]);
        }

        return max;
    }

    /// <summary>Copies rows of a table: <c>destination[i] = table[ids[i]]</c>, rows of <paramref name="columns"/> floats (split over the worker pool when large).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is negative or an id is outside the table.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short or overlaps <paramref name="table"/>.</exception>
    public static void GatherRows(ReadOnlySpan<float> table, int columns, ReadOnlySpan<int> ids, Span<float> destination)
    {
        if (columns < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(columns));
        }

        long needed = (long)ids.Length * columns;
        if (destination.Length < needed)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(destination));
        }

        if (columns == 0)
        {
            return;
        }

        int tableRows = table.Length / columns;
        CheckIds(ids, tableRows);
        if (destination[..(int)needed].Overlaps(table))
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(destination));
        }

        int threads = ComputeSettings.MaxDegreeOfParallelism;
        if (threads > 1 && needed >= ParallelRowsElements && ids.Length >= 2)
        {
            RowsWork.Run(RowsWork.Mode.Gather, table, columns, ids, destination, threads);
            return;
        }

        GatherRange(table, columns, ids, destination, 0, ids.Length);
    }

    /// <summary>Fewest elements (rows·columns) for which <see cref="GatherRows"/> and <see cref="ScatterAddRows"/> split over the worker pool.</summary>
    internal const long ParallelRowsElements = 1L << 18;

    private static void GatherRange(ReadOnlySpan<float> table, int columns, ReadOnlySpan<int> ids, Span<float> destination, int i0, int i1)
    {
        for (int i = i0; i < i1; i++)
        {
            table.Slice(ids[i] * columns, columns).CopyTo(destination.Slice(i * columns, columns));
        }
    }

    private static void ScatterAddRange(ReadOnlySpan<float> source, ReadOnlySpan<int> ids, Span<float> table, int columns, int c0, int c1)
    {
        int width = c1 - c0;
        for (int i = 0; i < ids.Length; i++)
        {
            Span<float> dst = table.Slice((ids[i] * columns) + c0, width);
            TensorPrimitives.Add(dst, source.Slice((i * columns) + c0, width), dst);
        }
    }

    /// <summary>
    /// <see cref="GatherRows"/> with its rows cut into one part per thread, or <see cref="ScatterAddRows"/> with its
    /// columns cut (16-float boundaries; every column still adds its rows in index order, so the bits do not depend on
    /// the thread count). One instance per calling thread; the pointers are valid only during a call.
    /// </summary>
    private sealed unsafe class RowsWork : IParallelWork
    {
        [ThreadStatic]
        private static RowsWork? t_instance;

        private Mode _mode;
        private float* _table, _rows;
        private int* _ids;
        private int _tableLength, _count, _columns, _parts;

        public enum Mode
        {
            Gather,
            ScatterAdd,
        }

        public static void Run(Mode mode, ReadOnlySpan<float> table, int columns, ReadOnlySpan<int> ids, ReadOnlySpan<float> rows, int threads)
        {
            RowsWork work = t_instance ??= new RowsWork();
            fixed (float* pt = table)
            fixed (float* pr = rows)
            fixed (int* pi = ids)
            {
                work._mode = mode;
                work._table = pt;
                work._tableLength = table.Length;
                work._rows = pr;
                work._ids = pi;
                work._count = ids.Length;
                work._columns = columns;
                work._parts = mode == Mode.Gather ? Math.Min(threads, ids.Length) : ColumnParts(threads, columns);
                try
                {
                    ParallelWork.Run(work, work._parts, threads);
                }
                finally
                {
                    work._table = work._rows = null;
                    work._ids = null;
                }
            }
        }

        public void Run(int part)
        {
            var ids = new ReadOnlySpan<int>(_ids, _count);
            var rows = new Span<float>(_rows, _count * _columns);
            var table = new Span<float>(_table, _tableLength);
            if (_mode == Mode.Gather)
            {
                int i0 = (int)((long)part * _count / _parts), i1 = (int)((long)(part + 1) * _count / _parts);
                GatherRange(table, _columns, ids, rows, i0, i1);
            }
            else
            {
                (int c0, int c1) = ColumnRange(part, _parts, _columns);
                ScatterAddRange(rows, ids, table, _columns, c0, c1);
            }
        }
    }

    /// <summary>
    /// Accumulates rows into a table in index order (so repeated ids sum deterministically):
    /// <c>table[ids[i]] += source[i]</c>. Large inputs split their columns over the worker pool (each column still
    /// adds its rows in index order: the same bits on any thread count).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is negative or an id is outside the table.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> is too short or overlaps <paramref name="table"/>.</exception>
    public static void ScatterAddRows(ReadOnlySpan<float> source, ReadOnlySpan<int> ids, Span<float> table, int columns)
    {
        if (columns < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(columns));
        }

        long needed = (long)ids.Length * columns;
        if (source.Length < needed)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(source));
        }

        if (columns == 0)
        {
            return;
        }

        CheckIds(ids, table.Length / columns);
        if (source[..(int)needed].Overlaps(table))
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(table));
        }

        int threads = ComputeSettings.MaxDegreeOfParallelism;
        if (threads > 1 && needed >= ParallelRowsElements && columns >= 32)
        {
            RowsWork.Run(RowsWork.Mode.ScatterAdd, table, columns, ids, source, threads);
            return;
        }

        ScatterAddRange(source, ids, table, columns, 0, columns);
    }

    private static void CheckIds(ReadOnlySpan<int> ids, int tableRows)
    {
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)tableRows)
            {
                ThrowHelper.ThrowArgumentOutOfRange_Index(nameof(ids));
            }
        }
    }
}
