namespace Recurrent.Numerics;

internal static partial class Gemm
{
    /// <summary>
    /// Matrix-vector product for the batch-1 path: <c>y = op(A)·x + beta·y</c>, where A is stored [m, n] with
    /// row stride <paramref name="lda"/>; op(A) is A ([m, n]: x has n elements, y has m) or Aᵀ ([n, m]: x has m, y has n).
    /// </summary>
    public static void MatVec(bool transA, int m, int n, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, float beta, Span<float> y)
    {
        if (!transA)
        {
            for (int i = 0; i < m; i++)
            {
                float sum = 0f;
                for (int j = 0; j < n; j++)
                {
                    sum += a[(i * lda) + j] * x[j];
                }

                y[i] = beta == 0f ? sum : sum + (beta * y[i]);
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int i = 0; i < m; i++)
                {
                    sum += a[(i * lda) + j] * x[i];
                }

                y[j] = beta == 0f ? sum : sum + (beta * y[j]);
            }
        }
    }
}
