using System.Numerics.Tensors;

namespace Recurrent.Numerics;

internal static partial class Gemm
{
    /// <summary>
    /// Matrix-vector product for the batch-1 path: <c>y = op(A)·x + beta·y</c>, where A is stored [m, n] with
    /// row stride <paramref name="lda"/>; op(A) is A ([m, n]: x has n elements, y has m) or Aᵀ ([n, m]: x has m, y has n).
    /// </summary>
    /// <remarks>
    /// <c>y = A·x</c> is one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per row;
    /// <c>y = Aᵀ·x</c> is one axpy (<c>y += x[i]·A[i, :]</c>) per row of A, in row order. Both read A once,
    /// sequentially: at batch 1 the product is bound by memory bandwidth, not by arithmetic. When
    /// <paramref name="beta"/> is 0, y is overwritten (NaN in y does not propagate).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> or <paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="lda"/> is smaller than n, a span is too short, or
    /// <paramref name="y"/> overlaps <paramref name="a"/> or <paramref name="x"/>.</exception>
    public static void MatVec(bool transA, int m, int n, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, float beta, Span<float> y)
    {
        if (m < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(m));
        }

        if (n < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(n));
        }

        long aLength = CheckMatrix(m, n, lda, a.Length, nameof(a), nameof(lda));
        int xLength = transA ? m : n;
        int yLength = transA ? n : m;
        if (x.Length < xLength)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(x));
        }

        if (y.Length < yLength)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(y));
        }

        y = y[..yLength];
        if (y.Overlaps(a[..(int)aLength]) || y.Overlaps(x[..xLength]))
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(y));
        }

        if (!transA)
        {
            // y[i] = A[i, :]·x (+ beta·y[i]).
            for (int i = 0; i < m; i++)
            {
                float dot = TensorPrimitives.Dot(a.Slice(i * lda, n), x[..n]);
                y[i] = beta == 0f ? dot : dot + (beta * y[i]);
            }

            return;
        }

        // y = beta·y, then y += x[i]·A[i, :] for each row i in order (a fixed reduction order).
        if (beta == 0f)
        {
            y.Clear();
        }
        else if (beta != 1f)
        {
            TensorPrimitives.Multiply(y, beta, y);
        }

        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.MultiplyAdd(a.Slice(i * lda, n), x[i], y, y);
        }
    }
}
