using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Numerics;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// Matrix-vector product for the batch-1 path: <c>y = op(A)·x + beta·y</c>, where A is stored [m, n] with
    /// row stride <paramref name="lda"/>; op(A) is A ([m, n]: x has n elements, y has m) or Aᵀ ([n, m]: x has m, y has n).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Both orientations read A once, sequentially, as a stream: at batch 1 the product is bound by memory
    /// bandwidth once A is larger than the caches, so the kernels are built to keep loads of A the only traffic.
    /// </para>
    /// <para>
    /// <c>y = A·x</c>: eight rows at a time, one vector accumulator per row; each vector of x is loaded once for
    /// the eight rows (eight independent FMA chains). The eight rows of a pass are one from each eighth of the rows a
    /// thread computes (rows g, g + G, …, g + 7G of its range, G = ⌊rows / 8⌋), so A is read as eight sequential
    /// streams rather than one: when A comes from memory or L3, more reads are in flight. Where the eighths start a
    /// multiple of 4 KiB apart (they would share cache sets) eighth k starts k rows further on and wraps around.
    /// Per row: a fused multiply-add over the full vectors, then (on the AVX-512 and AVX2 tiers, for a row at least
    /// one vector long) the last columns as one more vector with the lanes already covered zeroed, the vector's
    /// horizontal sum (on AVX-512 the eight rows' sums in one shuffle tree), the scalar tail (if any) and beta. Every row sees the same sequence whichever group it falls in.
    /// </para>
    /// <para>
    /// <c>y = Aᵀ·x</c>: <c>y = beta·y</c>, then <c>y += x[i]·A[i, :]</c> for each row i in order (a fixed reduction
    /// order), four rows per pass over y so that y is loaded and stored a quarter as often.
    /// </para>
    /// <para>When <paramref name="beta"/> is 0, y is overwritten (NaN in y does not propagate).</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> or <paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="lda"/> is smaller than n, a span is too short, or
    /// <paramref name="y"/> overlaps <paramref name="a"/> or <paramref name="x"/>.</exception>
    public static void MatVec(bool transA, int m, int n, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, float beta, Span<float> y) =>
        MatVec(SimdTiers.Best, transA, m, n, a, lda, x, beta, y, ComputeSettings.MaxDegreeOfParallelism);

    /// <summary>Fewest elements of A (m·n) for which <c>y = A·x</c> splits its rows over the worker pool (256 KiB of floats, e.g. one 512×128 LSTM weight).</summary>
    internal const long ParallelMatVecElements = 1L << 16;

    /// <summary>
    /// <see cref="MatVec(bool, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, float, Span{float})"/> at a
    /// given SIMD tier (tests use it to cover every tier in one process).
    /// </summary>
    internal static void MatVec(SimdTier tier, bool transA, int m, int n, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, float beta, Span<float> y, int maxDegreeOfParallelism = 1)
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

        if (yLength == 0)
        {
            return;
        }

        if (transA)
        {
            // y = beta·y first; then the row-ordered accumulation.
            if (beta == 0f)
            {
                y.Clear();
            }
            else if (beta != 1f)
            {
                TensorPrimitives.Multiply(y, beta, y);
            }
        }

        fixed (float* pa = a)
        fixed (float* px = x)
        fixed (float* py = y)
        {
            if (transA)
            {
                switch (tier)
                {
                    case SimdTier.Vector512:
                        AxpyRowsV512(pa, lda, px, m, n, py);
                        break;
                    case SimdTier.Vector256:
                        AxpyRowsV256(pa, lda, px, m, n, py);
                        break;
                    case SimdTier.Vector128:
                        AxpyRowsV128(pa, lda, px, m, n, py);
                        break;
                    default:
                        AxpyRowsScalar(pa, lda, px, m, n, py);
                        break;
                }
            }
            else if (maxDegreeOfParallelism > 1 && m >= 16 && (long)m * n >= ParallelMatVecElements)
            {
                // Rows are independent and each goes through the same sequence in any group of eight, so splitting
                // them over threads (on multiples of eight) gives the same bits; each core streams its share of A.
                MatVecWork.Run(tier, pa, lda, px, n, beta, py, m, maxDegreeOfParallelism);
            }
            else
            {
                Rows(tier, pa, lda, px, n, beta, py, 0, m);
            }
        }
    }

    /// <summary>Rows <c>[i0, i1)</c> of <c>y = A·x + beta·y</c> at a tier.</summary>
    private static void Rows(SimdTier tier, float* pa, nint lda, float* px, int n, float beta, float* py, int i0, int i1)
    {
        switch (tier)
        {
            case SimdTier.Vector512:
                RowsV512(pa, lda, px, n, beta, py, i0, i1);
                break;
            case SimdTier.Vector256:
                RowsV256(pa, lda, px, n, beta, py, i0, i1);
                break;
            case SimdTier.Vector128:
                RowsV128(pa, lda, px, n, beta, py, i0, i1);
                break;
            default:
                RowsScalar(pa, lda, px, n, beta, py, i0, i1);
                break;
        }
    }

    /// <summary>
    /// <c>y = A·x + beta·y</c> with its rows cut into one part per thread (on multiples of eight) and run on the
    /// worker pool. One instance per calling thread; the pointers are valid only during a call.
    /// </summary>
    private sealed class MatVecWork : IParallelWork
    {
        [ThreadStatic]
        private static MatVecWork? t_instance;

        private SimdTier _tier;
        private float* _a, _x, _y;
        private nint _lda;
        private int _n, _m, _parts;
        private float _beta;

        public static void Run(SimdTier tier, float* a, nint lda, float* x, int n, float beta, float* y, int m, int threads)
        {
            MatVecWork work = t_instance ??= new MatVecWork();
            work._tier = tier;
            work._a = a;
            work._lda = lda;
            work._x = x;
            work._n = n;
            work._beta = beta;
            work._y = y;
            work._m = m;
            work._parts = Math.Min(threads, m / 8);
            try
            {
                ParallelWork.Run(work, work._parts, threads);
            }
            finally
            {
                work._a = work._x = work._y = null;
            }
        }

        public void Run(int part)
        {
            int groups = (_m + 7) / 8;
            int i0 = Math.Min(_m, part * groups / _parts * 8), i1 = Math.Min(_m, (part + 1) * groups / _parts * 8);
            Rows(_tier, _a, _lda, _x, _n, _beta, _y, i0, i1);
        }
    }

    // The rows of a pass over [i0, i0 + rows): one from each eighth of the range (advance 1, spacing ⌊rows / 8⌋), so that
    // A is read as eight sequential streams. Where the eighths start a multiple of 4 KiB apart the streams would fall
    // into the same cache sets, so eighth k then starts k rows further on and wraps (skew 1). Fewer than 16 rows, or
    // aliased eighths shorter than 8 rows: eight consecutive rows (advance 8, spacing 1).
    private static (int Advance, int Spacing, int Skew) PassLayout(int rows, nint lda)
    {
        int spacing = rows / 8;
        bool aliased = spacing * lda * sizeof(float) % 4096 == 0;
        return spacing < 2 || (aliased && spacing < 8) ? (8, 1, 0) : (1, spacing, aliased ? 1 : 0);
    }

    // The eight rows of pass g (see PassLayout): i + k·spacing for k = 0 … 7, where i = i0 + g·advance; with a skew,
    // row k of the pass is i0 + k·spacing + ((g + k·skew) mod spacing).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PassRows(int i0, int g, int groups, int advance, int spacing, int skew, int* rows)
    {
        int i = i0 + (g * advance);
        for (int k = 0; k < 8; k++)
        {
            int shift = k * skew;
            rows[k] = i + (k * spacing) + (g + shift >= groups ? shift - groups : shift);
        }
    }

    /// <summary>A row's scalar tail (columns nv … n) and beta: <c>s + Σ a[j]·x[j]</c>, then <c>+ beta·y</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(float s, float* a, float* x, int nv, int n, float beta, float y)
    {
        for (int j = nv; j < n; j++)
        {
            s += a[j] * x[j];
        }

        return beta == 0f ? s : s + (beta * y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MultiplyAdd(float a, float b, float c) => (a * b) + c;

    /// <summary>The scalar tier of <c>y = A·x</c>: four partial sums per row (columns j mod 4), then the tail.</summary>
    private static void RowsScalar(float* a, nint lda, float* x, int n, float beta, float* y, int i0, int i1)
    {
        int nv = n & ~3;
        for (int i = i0; i < i1; i++)
        {
            float* ar = a + ((nint)i * lda);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int j = 0; j < nv; j += 4)
            {
                s0 += ar[j] * x[j];
                s1 += ar[j + 1] * x[j + 1];
                s2 += ar[j + 2] * x[j + 2];
                s3 += ar[j + 3] * x[j + 3];
            }

            y[i] = Finish((s0 + s1) + (s2 + s3), ar, x, nv, n, beta, y[i]);
        }
    }

    /// <summary>The scalar tier of <c>y += Σ_i x[i]·A[i, :]</c>, rows in order.</summary>
    private static void AxpyRowsScalar(float* a, nint lda, float* x, int m, int n, float* y)
    {
        for (int i = 0; i < m; i++)
        {
            float* ar = a + ((nint)i * lda);
            float xi = x[i];
            for (int j = 0; j < n; j++)
            {
                y[j] += ar[j] * xi;
            }
        }
    }

    /// <summary>
    /// y[i] = A[i, :]·x (+ beta·y[i]) for rows [i0, i1) with 512-wide vectors, eight rows per pass. A row whose length
    /// is not a multiple of 16 (but at least 16) adds its last columns as one more vector: the row's last 16 floats
    /// with the lanes the full vectors already covered zeroed (in A and in x), instead of a scalar loop. The eight
    /// rows' accumulators are then reduced together by a shuffle tree (lane j + j+8, then j + j+4, j + j+2,
    /// j + j+1); a row outside a group goes through the same tree alone (<see cref="Sum16"/>). The eight rows of a
    /// pass are one from each eighth of the range (see <c>PassLayout</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsV512(float* a, nint lda, float* x, int n, float beta, float* y, int i0, int i1)
    {
        int nv = n & ~(16 - 1);
        bool vectorTail = nv < n && n >= 16;
        nint tailOffset = n - 16;
        Vector512<float> keep = default, xTail = default;
        if (vectorTail)
        {
            // Lanes of the last 16 columns that the full vectors did not cover.
            keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(nv - (n - 16))).AsSingle();
            xTail = Vector512.Load(x + tailOffset) & keep;
        }

        // Eight rows per pass, one from each eighth of the range (PassLayout, PassRows): each x vector is loaded once and
        // feeds eight independent FMA chains, one per row.
        int groups = (i1 - i0) / 8;
        (int advance, int spacing, int skew) = PassLayout(i1 - i0, lda);
        int* rows = stackalloc int[8];
        for (int g = 0; g < groups; g++)
        {
            PassRows(i0, g, groups, advance, spacing, skew, rows);
            float* a0 = a + ((nint)rows[0] * lda);
            float* a1 = a + ((nint)rows[1] * lda);
            float* a2 = a + ((nint)rows[2] * lda);
            float* a3 = a + ((nint)rows[3] * lda);
            float* a4 = a + ((nint)rows[4] * lda);
            float* a5 = a + ((nint)rows[5] * lda);
            float* a6 = a + ((nint)rows[6] * lda);
            float* a7 = a + ((nint)rows[7] * lda);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
            for (int j = 0; j < nv; j += 16)
            {
                Vector512<float> xv = Vector512.Load(x + j);
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + j), xv, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a1 + j), xv, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a2 + j), xv, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a3 + j), xv, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.Load(a4 + j), xv, s4);
                s5 = Vector512.FusedMultiplyAdd(Vector512.Load(a5 + j), xv, s5);
                s6 = Vector512.FusedMultiplyAdd(Vector512.Load(a6 + j), xv, s6);
                s7 = Vector512.FusedMultiplyAdd(Vector512.Load(a7 + j), xv, s7);
            }

            if (vectorTail)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + tailOffset) & keep, xTail, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a1 + tailOffset) & keep, xTail, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a2 + tailOffset) & keep, xTail, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a3 + tailOffset) & keep, xTail, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.Load(a4 + tailOffset) & keep, xTail, s4);
                s5 = Vector512.FusedMultiplyAdd(Vector512.Load(a5 + tailOffset) & keep, xTail, s5);
                s6 = Vector512.FusedMultiplyAdd(Vector512.Load(a6 + tailOffset) & keep, xTail, s6);
                s7 = Vector512.FusedMultiplyAdd(Vector512.Load(a7 + tailOffset) & keep, xTail, s7);
            }

            Vector256<float> sums = Sum16x8(s0, s1, s2, s3, s4, s5, s6, s7);
            if (nv == n || vectorTail)
            {
                // The same multiply, then add, as Finish, for each of the eight rows.
                for (int r = 0; r < 8; r++)
                {
                    float* yr = y + rows[r];
                    *yr = beta != 0f ? sums.GetElement(r) + (beta * *yr) : sums.GetElement(r);
                }
            }
            else
            {
                // Fewer than 16 columns: the scalar tail per row.
                for (int r = 0; r < 8; r++)
                {
                    float* ar = a + ((nint)rows[r] * lda);
                    y[rows[r]] = Finish(sums.GetElement(r), ar, x, nv, n, beta, y[rows[r]]);
                }
            }
        }

        // The last rows one at a time, with the same operation sequence per row as above.
        for (int i = i0 + (8 * groups); i < i1; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector512<float> s0 = default;
            for (int j = 0; j < nv; j += 16)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + j), Vector512.Load(x + j), s0);
            }

            if (vectorTail)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + tailOffset) & keep, xTail, s0);
                y[i] = Finish(Sum16(s0), a0, x, n, n, beta, y[i]);
            }
            else
            {
                y[i] = Finish(Sum16(s0), a0, x, nv, n, beta, y[i]);
            }
        }
    }

    /// <summary>The sum of a vector's 16 lanes, in the order of <see cref="Sum16x8"/>: j + j+8, then j + j+4, j + j+2, j + j+1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum16(Vector512<float> v)
    {
        Vector256<float> h = v.GetLower() + v.GetUpper();
        Vector128<float> q = h.GetLower() + h.GetUpper();
        Vector128<float> z = q + Vector128.Shuffle(q, Vector128.Create(2, 3, 2, 3));
        return z.ToScalar() + z.GetElement(1);
    }

    /// <summary>
    /// The lane sums of eight vectors, as one vector [sum(s0), …, sum(s7)], each summed in the order of
    /// <see cref="Sum16"/> (so a row gives the same bits in a group of eight or alone); 10 shuffles, a permute and
    /// 9 adds in place of eight separate reductions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sum16x8(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7)
    {
        // Lane j + j+8: [row r lanes 0-7 | row r+1 lanes 0-7] (128-bit quarters: r.q0+q2, r.q1+q3, r+1.q0+q2, r+1.q1+q3).
        Vector512<float> r01 = Avx512F.Shuffle4x128(s0, s1, 0b01_00_01_00) + Avx512F.Shuffle4x128(s0, s1, 0b11_10_11_10);
        Vector512<float> r23 = Avx512F.Shuffle4x128(s2, s3, 0b01_00_01_00) + Avx512F.Shuffle4x128(s2, s3, 0b11_10_11_10);
        Vector512<float> r45 = Avx512F.Shuffle4x128(s4, s5, 0b01_00_01_00) + Avx512F.Shuffle4x128(s4, s5, 0b11_10_11_10);
        Vector512<float> r67 = Avx512F.Shuffle4x128(s6, s7, 0b01_00_01_00) + Avx512F.Shuffle4x128(s6, s7, 0b11_10_11_10);

        // Lane j + j+4: quarter q holds row q's (w0) or row q+4's (w1) four partial sums.
        Vector512<float> w0 = Avx512F.Shuffle4x128(r01, r23, 0b10_00_10_00) + Avx512F.Shuffle4x128(r01, r23, 0b11_01_11_01);
        Vector512<float> w1 = Avx512F.Shuffle4x128(r45, r67, 0b10_00_10_00) + Avx512F.Shuffle4x128(r45, r67, 0b11_01_11_01);

        // Lane j + j+2, then j + j+1: quarter q ends as [row q, row q+4, …].
        Vector512<float> z = Avx512F.Shuffle(w0, w1, 0b01_00_01_00) + Avx512F.Shuffle(w0, w1, 0b11_10_11_10);
        Vector512<float> f = Avx512F.Shuffle(z, z, 0b10_00_10_00) + Avx512F.Shuffle(z, z, 0b11_01_11_01);
        return Avx512F.PermuteVar16x32(f, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower();
    }

    /// <summary>y += Σ_i x[i]·A[i, :] over rows [0, m) in row order, with 512-wide vectors, four rows per pass over y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsV512(float* a, nint lda, float* x, int m, int n, float* y)
    {
        int nv = n & ~(16 - 1);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + ((nint)i * lda);
            float* a1 = a0 + lda;
            float* a2 = a1 + lda;
            float* a3 = a2 + lda;
            Vector512<float> x0 = Vector512.Create(x[i]), x1 = Vector512.Create(x[i + 1]), x2 = Vector512.Create(x[i + 2]), x3 = Vector512.Create(x[i + 3]);
            for (int j = 0; j < nv; j += 16)
            {
                // The same fused steps, in the same row order, as four separate passes: only the loads and stores of y are saved.
                Vector512<float> yv = Vector512.Load(y + j);
                yv = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + j), x0, yv);
                yv = Vector512.FusedMultiplyAdd(Vector512.Load(a1 + j), x1, yv);
                yv = Vector512.FusedMultiplyAdd(Vector512.Load(a2 + j), x2, yv);
                yv = Vector512.FusedMultiplyAdd(Vector512.Load(a3 + j), x3, yv);
                Vector512.Store(yv, y + j);
            }

            for (int j = nv; j < n; j++)
            {
                float yj = y[j];
                yj = MathF.FusedMultiplyAdd(a0[j], x[i], yj);
                yj = MathF.FusedMultiplyAdd(a1[j], x[i + 1], yj);
                yj = MathF.FusedMultiplyAdd(a2[j], x[i + 2], yj);
                y[j] = MathF.FusedMultiplyAdd(a3[j], x[i + 3], yj);
            }
        }

        for (; i < m; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector512<float> x0 = Vector512.Create(x[i]);
            for (int j = 0; j < nv; j += 16)
            {
                Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(a0 + j), x0, Vector512.Load(y + j)), y + j);
            }

            for (int j = nv; j < n; j++)
            {
                y[j] = MathF.FusedMultiplyAdd(a0[j], x[i], y[j]);
            }
        }
    }

    /// <summary>
    /// y[i] = A[i, :]·x (+ beta·y[i]) for rows [i0, i1) with 256-wide vectors, eight rows per pass; the last columns of
    /// a row at least 8 long are one more vector with the already covered lanes zeroed (as in <see cref="RowsV512"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsV256(float* a, nint lda, float* x, int n, float beta, float* y, int i0, int i1)
    {
        int nv = n & ~(8 - 1);
        bool vectorTail = nv < n && n >= 8;
        nint tailOffset = n - 8;
        Vector256<float> keep = default, xTail = default;
        if (vectorTail)
        {
            keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(nv - (n - 8))).AsSingle();
            xTail = Vector256.Load(x + tailOffset) & keep;
        }

        int tailEnd = vectorTail ? n : nv;
        // Eight rows per pass, one from each eighth of the range (PassLayout, PassRows): each x vector is loaded once and
        // feeds eight independent FMA chains, one per row.
        int groups = (i1 - i0) / 8;
        (int advance, int spacing, int skew) = PassLayout(i1 - i0, lda);
        int* rows = stackalloc int[8];
        for (int g = 0; g < groups; g++)
        {
            PassRows(i0, g, groups, advance, spacing, skew, rows);
            float* a0 = a + ((nint)rows[0] * lda);
            float* a1 = a + ((nint)rows[1] * lda);
            float* a2 = a + ((nint)rows[2] * lda);
            float* a3 = a + ((nint)rows[3] * lda);
            float* a4 = a + ((nint)rows[4] * lda);
            float* a5 = a + ((nint)rows[5] * lda);
            float* a6 = a + ((nint)rows[6] * lda);
            float* a7 = a + ((nint)rows[7] * lda);
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
            for (int j = 0; j < nv; j += 8)
            {
                Vector256<float> xv = Vector256.Load(x + j);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a0 + j), xv, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a1 + j), xv, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Load(a2 + j), xv, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Load(a3 + j), xv, s3);
                s4 = Vector256.FusedMultiplyAdd(Vector256.Load(a4 + j), xv, s4);
                s5 = Vector256.FusedMultiplyAdd(Vector256.Load(a5 + j), xv, s5);
                s6 = Vector256.FusedMultiplyAdd(Vector256.Load(a6 + j), xv, s6);
                s7 = Vector256.FusedMultiplyAdd(Vector256.Load(a7 + j), xv, s7);
            }

            if (vectorTail)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a0 + tailOffset) & keep, xTail, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a1 + tailOffset) & keep, xTail, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Load(a2 + tailOffset) & keep, xTail, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Load(a3 + tailOffset) & keep, xTail, s3);
                s4 = Vector256.FusedMultiplyAdd(Vector256.Load(a4 + tailOffset) & keep, xTail, s4);
                s5 = Vector256.FusedMultiplyAdd(Vector256.Load(a5 + tailOffset) & keep, xTail, s5);
                s6 = Vector256.FusedMultiplyAdd(Vector256.Load(a6 + tailOffset) & keep, xTail, s6);
                s7 = Vector256.FusedMultiplyAdd(Vector256.Load(a7 + tailOffset) & keep, xTail, s7);
            }

            y[rows[0]] = Finish(Vector256.Sum(s0), a0, x, tailEnd, n, beta, y[rows[0]]);
            y[rows[1]] = Finish(Vector256.Sum(s1), a1, x, tailEnd, n, beta, y[rows[1]]);
            y[rows[2]] = Finish(Vector256.Sum(s2), a2, x, tailEnd, n, beta, y[rows[2]]);
            y[rows[3]] = Finish(Vector256.Sum(s3), a3, x, tailEnd, n, beta, y[rows[3]]);
            y[rows[4]] = Finish(Vector256.Sum(s4), a4, x, tailEnd, n, beta, y[rows[4]]);
            y[rows[5]] = Finish(Vector256.Sum(s5), a5, x, tailEnd, n, beta, y[rows[5]]);
            y[rows[6]] = Finish(Vector256.Sum(s6), a6, x, tailEnd, n, beta, y[rows[6]]);
            y[rows[7]] = Finish(Vector256.Sum(s7), a7, x, tailEnd, n, beta, y[rows[7]]);
        }

        // The last rows one at a time, with the same operation sequence per row as above.
        for (int i = i0 + (8 * groups); i < i1; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector256<float> s0 = default;
            for (int j = 0; j < nv; j += 8)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a0 + j), Vector256.Load(x + j), s0);
            }

            if (vectorTail)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a0 + tailOffset) & keep, xTail, s0);
            }

            y[i] = Finish(Vector256.Sum(s0), a0, x, tailEnd, n, beta, y[i]);
        }
    }

    /// <summary>y += Σ_i x[i]·A[i, :] over rows [0, m) in row order, with 256-wide vectors, four rows per pass over y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsV256(float* a, nint lda, float* x, int m, int n, float* y)
    {
        int nv = n & ~(8 - 1);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + ((nint)i * lda);
            float* a1 = a0 + lda;
            float* a2 = a1 + lda;
            float* a3 = a2 + lda;
            Vector256<float> x0 = Vector256.Create(x[i]), x1 = Vector256.Create(x[i + 1]), x2 = Vector256.Create(x[i + 2]), x3 = Vector256.Create(x[i + 3]);
            for (int j = 0; j < nv; j += 8)
            {
                // The same fused steps, in the same row order, as four separate passes: only the loads and stores of y are saved.
                Vector256<float> yv = Vector256.Load(y + j);
                yv = Vector256.FusedMultiplyAdd(Vector256.Load(a0 + j), x0, yv);
                yv = Vector256.FusedMultiplyAdd(Vector256.Load(a1 + j), x1, yv);
                yv = Vector256.FusedMultiplyAdd(Vector256.Load(a2 + j), x2, yv);
                yv = Vector256.FusedMultiplyAdd(Vector256.Load(a3 + j), x3, yv);
                Vector256.Store(yv, y + j);
            }

            for (int j = nv; j < n; j++)
            {
                float yj = y[j];
                yj = MathF.FusedMultiplyAdd(a0[j], x[i], yj);
                yj = MathF.FusedMultiplyAdd(a1[j], x[i + 1], yj);
                yj = MathF.FusedMultiplyAdd(a2[j], x[i + 2], yj);
                y[j] = MathF.FusedMultiplyAdd(a3[j], x[i + 3], yj);
            }
        }

        for (; i < m; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector256<float> x0 = Vector256.Create(x[i]);
            for (int j = 0; j < nv; j += 8)
            {
                Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(a0 + j), x0, Vector256.Load(y + j)), y + j);
            }

            for (int j = nv; j < n; j++)
            {
                y[j] = MathF.FusedMultiplyAdd(a0[j], x[i], y[j]);
            }
        }
    }

    /// <summary>y[i] = A[i, :]·x (+ beta·y[i]) for rows [i0, i1) with 128-wide vectors, eight rows per pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsV128(float* a, nint lda, float* x, int n, float beta, float* y, int i0, int i1)
    {
        int nv = n & ~(4 - 1);
        // Eight rows per pass, one from each eighth of the range (PassLayout, PassRows): each x vector is loaded once and
        // feeds eight independent FMA chains, one per row.
        int groups = (i1 - i0) / 8;
        (int advance, int spacing, int skew) = PassLayout(i1 - i0, lda);
        int* rows = stackalloc int[8];
        for (int g = 0; g < groups; g++)
        {
            PassRows(i0, g, groups, advance, spacing, skew, rows);
            float* a0 = a + ((nint)rows[0] * lda);
            float* a1 = a + ((nint)rows[1] * lda);
            float* a2 = a + ((nint)rows[2] * lda);
            float* a3 = a + ((nint)rows[3] * lda);
            float* a4 = a + ((nint)rows[4] * lda);
            float* a5 = a + ((nint)rows[5] * lda);
            float* a6 = a + ((nint)rows[6] * lda);
            float* a7 = a + ((nint)rows[7] * lda);
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector128<float> s4 = default, s5 = default, s6 = default, s7 = default;
            for (int j = 0; j < nv; j += 4)
            {
                Vector128<float> xv = Vector128.Load(x + j);
                s0 = Vector128.MultiplyAddEstimate(Vector128.Load(a0 + j), xv, s0);
                s1 = Vector128.MultiplyAddEstimate(Vector128.Load(a1 + j), xv, s1);
                s2 = Vector128.MultiplyAddEstimate(Vector128.Load(a2 + j), xv, s2);
                s3 = Vector128.MultiplyAddEstimate(Vector128.Load(a3 + j), xv, s3);
                s4 = Vector128.MultiplyAddEstimate(Vector128.Load(a4 + j), xv, s4);
                s5 = Vector128.MultiplyAddEstimate(Vector128.Load(a5 + j), xv, s5);
                s6 = Vector128.MultiplyAddEstimate(Vector128.Load(a6 + j), xv, s6);
                s7 = Vector128.MultiplyAddEstimate(Vector128.Load(a7 + j), xv, s7);
            }

            y[rows[0]] = Finish(Vector128.Sum(s0), a0, x, nv, n, beta, y[rows[0]]);
            y[rows[1]] = Finish(Vector128.Sum(s1), a1, x, nv, n, beta, y[rows[1]]);
            y[rows[2]] = Finish(Vector128.Sum(s2), a2, x, nv, n, beta, y[rows[2]]);
            y[rows[3]] = Finish(Vector128.Sum(s3), a3, x, nv, n, beta, y[rows[3]]);
            y[rows[4]] = Finish(Vector128.Sum(s4), a4, x, nv, n, beta, y[rows[4]]);
            y[rows[5]] = Finish(Vector128.Sum(s5), a5, x, nv, n, beta, y[rows[5]]);
            y[rows[6]] = Finish(Vector128.Sum(s6), a6, x, nv, n, beta, y[rows[6]]);
            y[rows[7]] = Finish(Vector128.Sum(s7), a7, x, nv, n, beta, y[rows[7]]);
        }

        // The last rows one at a time, with the same operation sequence per row as above.
        for (int i = i0 + (8 * groups); i < i1; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector128<float> s0 = default;
            for (int j = 0; j < nv; j += 4)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.Load(a0 + j), Vector128.Load(x + j), s0);
            }

            y[i] = Finish(Vector128.Sum(s0), a0, x, nv, n, beta, y[i]);
        }
    }

    /// <summary>y += Σ_i x[i]·A[i, :] over rows [0, m) in row order, with 128-wide vectors, four rows per pass over y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRowsV128(float* a, nint lda, float* x, int m, int n, float* y)
    {
        int nv = n & ~(4 - 1);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + ((nint)i * lda);
            float* a1 = a0 + lda;
            float* a2 = a1 + lda;
            float* a3 = a2 + lda;
            Vector128<float> x0 = Vector128.Create(x[i]), x1 = Vector128.Create(x[i + 1]), x2 = Vector128.Create(x[i + 2]), x3 = Vector128.Create(x[i + 3]);
            for (int j = 0; j < nv; j += 4)
            {
                // The same fused steps, in the same row order, as four separate passes: only the loads and stores of y are saved.
                Vector128<float> yv = Vector128.Load(y + j);
                yv = Vector128.MultiplyAddEstimate(Vector128.Load(a0 + j), x0, yv);
                yv = Vector128.MultiplyAddEstimate(Vector128.Load(a1 + j), x1, yv);
                yv = Vector128.MultiplyAddEstimate(Vector128.Load(a2 + j), x2, yv);
                yv = Vector128.MultiplyAddEstimate(Vector128.Load(a3 + j), x3, yv);
                Vector128.Store(yv, y + j);
            }

            for (int j = nv; j < n; j++)
            {
                float yj = y[j];
                yj = MultiplyAdd(a0[j], x[i], yj);
                yj = MultiplyAdd(a1[j], x[i + 1], yj);
                yj = MultiplyAdd(a2[j], x[i + 2], yj);
                y[j] = MultiplyAdd(a3[j], x[i + 3], yj);
            }
        }

        for (; i < m; i++)
        {
            float* a0 = a + ((nint)i * lda);
            Vector128<float> x0 = Vector128.Create(x[i]);
            for (int j = 0; j < nv; j += 4)
            {
                Vector128.Store(Vector128.MultiplyAddEstimate(Vector128.Load(a0 + j), x0, Vector128.Load(y + j)), y + j);
            }

            for (int j = nv; j < n; j++)
            {
                y[j] = MultiplyAdd(a0[j], x[i], y[j]);
            }
        }
    }
}
