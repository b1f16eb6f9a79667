namespace Recurrent.Numerics;

/// <summary>
/// Single-precision, row-major general matrix multiply: <c>C = alpha·op(A)·op(B) + beta·C</c>.
/// </summary>
/// <remarks>
/// Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]. When <c>transA</c> is false A is stored [m, k] with
/// row stride <c>lda ≥ k</c>; when true A is stored [k, m] with <c>lda ≥ m</c>. Likewise B is [k, n] (<c>ldb ≥ n</c>)
/// or, transposed, [n, k] (<c>ldb ≥ k</c>). C is [m, n] with <c>ldc ≥ n</c>. When <c>beta</c> is 0, C is
/// overwritten (NaN in C does not propagate).
/// This is the reference implementation; the tuned kernel replaces its body, not its signature.
/// </remarks>
internal static partial class Gemm
{
    /// <summary>Computes <c>C = alpha·op(A)·op(B) + beta·C</c>.</summary>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[(p * lda) + i] : a[(i * lda) + p];
                    float bv = transB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += av * bv;
                }

                ref float cij = ref c[(i * ldc) + j];
                cij = beta == 0f ? alpha * sum : (alpha * sum) + (beta * cij);
            }
        }
    }
}
