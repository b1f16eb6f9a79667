using System.Diagnostics;

namespace Recurrent.Numerics;

/// <summary>
/// The B operand of a GEMM, packed once into the microkernel's panel layout so that many products with the
/// same matrix (a recurrent weight used at every time step) skip the per-call copy. Pass it to
/// <see cref="Gemm.Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Holds a <b>copy</b>: after the source matrix changes (an optimizer step), call <see cref="Pack(bool, int, int, ReadOnlySpan{float}, int)"/>
/// again. The buffer is pinned, 64-byte aligned and reused: re-packing a matrix of the same or a smaller size
/// allocates nothing, so a caller that owns one <see cref="PackedMatrix"/> per weight (and per orientation —
/// <c>W_hhᵀ</c> for the forward step and <c>W_hh</c> for the backward step are two packings) has no steady-state
/// allocation.
/// </para>
/// <para>
/// Layout (the one <see cref="Gemm"/> packs per call): op(B) is [k, n]; K is cut into the same equal blocks of at
/// most <see cref="Gemm.MaxKc"/> that <see cref="Gemm"/> uses for this k; block b (rows p0 … p0+kc of op(B))
/// starts at <c>p0·paddedN</c>, and inside it NR-wide column panel q (columns q … q+NR) starts at <c>q·kc</c>
/// and holds kc rows of NR floats, zero padded past n. A product with a packed B therefore runs exactly the
/// same floating-point operations as the unpacked call: the results are bitwise equal.
/// </para>
/// <para>Not thread-safe for concurrent <c>Pack</c>; any number of concurrent <c>Multiply</c> calls may read it.</para>
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private float[]? _buffer;
    private nint _aligned;

    /// <summary>Gets the SIMD tier (and so the panel width NR) the matrix was packed for.</summary>
    public SimdTier Tier { get; private set; }

    /// <summary>Gets the rows of op(B), i.e. the inner dimension k of the products.</summary>
    public int K { get; private set; }

    /// <summary>Gets the columns of op(B), i.e. the columns n of C.</summary>
    public int N { get; private set; }

    /// <summary>Gets a value indicating whether <see cref="Pack(bool, int, int, ReadOnlySpan{float}, int)"/> has run.</summary>
    public bool IsPacked { get; private set; }

    /// <summary>Gets the floats the packed buffer can hold without growing.</summary>
    public int Capacity => _buffer is null ? 0 : _buffer.Length - 16;

    /// <summary>Gets the packed column count: n rounded up to the tier's NR.</summary>
    internal int PaddedN { get; private set; }

    /// <summary>Gets the first packed float (64-byte aligned); valid while this object is alive.</summary>
    internal float* Pointer => (float*)_aligned;

    /// <summary>
    /// Packs op(B) [k, n] for the products of this process's SIMD tier: B is stored [k, n] with row stride
    /// <paramref name="ldb"/> ≥ n, or, when <paramref name="transB"/> is true, [n, k] with <paramref name="ldb"/> ≥ k
    /// (a weight W [n, k] used as Wᵀ).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> or <paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="ldb"/> is smaller than its row width, or
    /// <paramref name="b"/> is too short.</exception>
    public void Pack(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb) => Pack(SimdTiers.Best, transB, k, n, b, ldb);

    /// <summary><see cref="Pack(bool, int, int, ReadOnlySpan{float}, int)"/> for a given tier (tests cover every tier in one process).</summary>
    internal void Pack(SimdTier tier, bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (k < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(k));
        }

        if (n < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(n));
        }

        Gemm.CheckMatrix(transB ? n : k, transB ? k : n, ldb, b.Length, nameof(b), nameof(ldb));
        (_, int nr) = Gemm.TileFor(tier);
        int paddedN = (n + nr - 1) / nr * nr;
        long size = (long)k * paddedN;
        if (size > Array.MaxLength - 16)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(nameof(b));
        }

        if (size > Capacity)
        {
            PinnedBuffer.Ensure(ref _buffer, ref _aligned, size);
        }

        Tier = tier;
        K = k;
        N = n;
        PaddedN = paddedN;
        IsPacked = true;
        if (k == 0 || n == 0)
        {
            return;
        }

        int kc = Gemm.KcFor(k);
        fixed (float* pb = b)
        {
            for (int p0 = 0; p0 < k; p0 += kc)
            {
                Debug.Assert(((long)p0 * paddedN) + ((long)Math.Min(kc, k - p0) * paddedN) <= Capacity);
                Gemm.PackB(transB, pb, ldb, p0, Math.Min(kc, k - p0), 0, n, Pointer + ((nint)p0 * paddedN), nr);
            }
        }

        GC.KeepAlive(_buffer);
    }
}
