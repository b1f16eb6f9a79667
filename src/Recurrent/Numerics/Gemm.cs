using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace Recurrent.Numerics;

/// <summary>
/// Single-precision, row-major general matrix multiply: <c>C = alpha·op(A)·op(B) + beta·C</c>.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]. When <c>transA</c> is false A is stored [m, k] with
/// row stride <c>lda ≥ k</c>; when true A is stored [k, m] with <c>lda ≥ m</c>. Likewise B is [k, n] (<c>ldb ≥ n</c>)
/// or, transposed, [n, k] (<c>ldb ≥ k</c>). C is [m, n] with <c>ldc ≥ n</c>. When <c>beta</c> is 0, C is
/// overwritten (NaN in C does not propagate).
/// </para>
/// <para>
/// Design (Goto/BLIS): C is cut into a fixed grid of tasks that depends only on the shape (never on the thread
/// count). A task loops over K blocks of at most <see cref="MaxKc"/>; for each it packs a block of op(B) into
/// NR-wide panels and blocks of op(A) into MR-tall panels (zero padded), then runs the register-tiled
/// microkernel (<see cref="Gemm512Kernel"/>, <see cref="Gemm256Kernel"/>, <see cref="Gemm128Kernel"/>,
/// <see cref="GemmScalarKernel"/>) over the tiles. Every element of C therefore sees the same sequence of
/// floating-point operations whichever thread computes it, so the result is bitwise independent of
/// <see cref="ComputeSettings.MaxDegreeOfParallelism"/>.
/// </para>
/// </remarks>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Largest K block: a packed B micro-panel of 192×48 floats (36 KiB, the AVX-512 tile) and an A micro-panel of
    /// 192×8 (6 KiB) stay in a 48 KiB L1 while the microkernel runs over a block of A.
    /// </summary>
    internal const int MaxKc = 192;

    /// <summary>Rows of A packed at a time (a 128×192 block = 96 KiB stays in L2).</summary>
    private const int TargetMc = 128;

    /// <summary>
    /// Columns of B packed at a time (192×960 floats = 720 KiB, in L2 beside the block of A): a multiple of every
    /// tier's NR (48, 16, 8, 4), so that a chunk ends on a panel boundary.
    /// </summary>
    internal const int MaxNc = 960;

    /// <summary>Largest op(B), in packed floats, that a parallel product packs once into a shared buffer (32 MiB).</summary>
    internal const long MaxSharedB = 8L << 20;

    /// <summary>Products with fewer multiply-adds than this run on the calling thread only.</summary>
    internal const long ParallelThreshold = 1L << 23;

    /// <summary>Computes <c>C = alpha·op(A)·op(B) + beta·C</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/>, <paramref name="n"/> or <paramref name="k"/> is negative.</exception>
    /// <exception cref="ArgumentException">A leading dimension is smaller than its row width, a span is too short
    /// for its matrix, or <paramref name="c"/> overlaps <paramref name="a"/> or <paramref name="b"/>.</exception>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) =>
        Multiply(SimdTiers.Best, ComputeSettings.MaxDegreeOfParallelism, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>
    /// <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// at a given SIMD tier and thread budget (tests use it to cover every tier in one process).
    /// </summary>
    internal static void Multiply(
        SimdTier tier, int maxDegreeOfParallelism,
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) =>
        Multiply(tier, maxDegreeOfParallelism, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, default, c, ldc);

    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·bias</c>: every row of C starts from <paramref name="bias"/> [n] instead of its
    /// old content (which is not read). Bitwise the same as copying the bias into every row of C and multiplying
    /// with that beta, without the extra pass over C. An empty <paramref name="bias"/> is the plain product.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="bias"/> is neither empty nor n long, or overlaps <paramref name="c"/>.</exception>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, ReadOnlySpan<float> bias, Span<float> c, int ldc) =>
        Multiply(SimdTiers.Best, ComputeSettings.MaxDegreeOfParallelism, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, bias, c, ldc);

    /// <summary>The product with an optional bias row (see the overload without a tier), at a given tier and thread budget.</summary>
    internal static void Multiply(
        SimdTier tier, int maxDegreeOfParallelism,
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        if (m < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(m));
        }

        if (n < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(n));
        }

        if (k < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange_Negative(nameof(k));
        }

        // Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k]; C is [m, n].
        long aLength = CheckMatrix(transA ? k : m, transA ? m : k, lda, a.Length, nameof(a), nameof(lda));
        long bLength = CheckMatrix(transB ? n : k, transB ? k : n, ldb, b.Length, nameof(b), nameof(ldb));
        long cLength = CheckMatrix(m, n, ldc, c.Length, nameof(c), nameof(ldc));
        if (m == 0 || n == 0)
        {
            return;
        }

        ReadOnlySpan<float> cRead = c[..(int)cLength];
        if (cRead.Overlaps(a[..(int)aLength]) || cRead.Overlaps(b[..(int)bLength]))
        {
            ThrowHelper.ThrowArgument_Overlap(nameof(c));
        }

        CheckBias(bias, n, cRead);
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, bias, c, ldc);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var job = new GemmJob(tier, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, maxDegreeOfParallelism)
            {
                Bias = bias.IsEmpty ? null : pbias,
            };
            if (job.SharesB)
            {
                // Pack op(B) once (in parallel: K blocks × column chunks), then let every task read it.
                int paddedN = GemmJob.RoundUp(n, TileFor(tier).NR);
                float* shared = SharedPackBuffer.Get((long)k * paddedN);
                GemmJob packing = job.ForPackingB(shared, paddedN);
                RunAll(in packing, maxDegreeOfParallelism);
                job = job with { PackedB = shared, PackedStride = paddedN };
            }

            RunAll(in job, maxDegreeOfParallelism);
        }
    }

    /// <summary>Runs every task of a job: on the worker pool when it is worth it and free, else on this thread.</summary>
    private static void RunAll(in GemmJob job, int maxDegreeOfParallelism)
    {
        int helpers = Math.Min(maxDegreeOfParallelism, job.TaskCount) - 1;
        if (helpers > 0 && (long)job.M * job.N * job.K >= ParallelThreshold && GemmWorkerPool.Shared.TryRun(in job, helpers))
        {
            return;
        }

        for (int t = 0; t < job.TaskCount; t++)
        {
            RunTask(in job, t);
        }
    }

    /// <summary>Validates one matrix argument; returns the number of floats it spans.</summary>
    internal static long CheckMatrix(int rows, int cols, int ld, int length, string name, string ldName)
    {
        if (ld < Math.Max(1, cols))
        {
            ThrowHelper.ThrowArgument_LeadingDimension(ldName);
        }

        long needed = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;
        if (needed > length)
        {
            ThrowHelper.ThrowArgument_SpanTooShort(name);
        }

        return needed;
    }

    /// <summary>Validates an optional bias row: empty, or n long and apart from C.</summary>
    internal static void CheckBias(ReadOnlySpan<float> bias, int n, ReadOnlySpan<float> c)
    {
        if (!bias.IsEmpty && (bias.Length != n || bias.Overlaps(c)))
        {
            ThrowHelper.ThrowArgument_Bias(nameof(bias));
        }
    }

    /// <summary>The k = 0 / alpha = 0 case: <c>C = beta·C</c> (cleared when beta is 0), or <c>beta·bias</c> in every row.</summary>
    private static void ScaleC(int m, int n, float beta, ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        if (!bias.IsEmpty)
        {
            for (int i = 0; i < m; i++)
            {
                bias.CopyTo(c.Slice(i * ldc, n));
            }
        }

        if (beta == 1f)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    /// <summary>Runs task <paramref name="task"/> of the job's fixed grid on the current thread.</summary>
    internal static void RunTask(in GemmJob job, int task)
    {
        if (job.PacksB)
        {
            PackSharedB(in job, task);
            return;
        }

        int ti = task / job.ColumnTasks;
        int tj = task - (ti * job.ColumnTasks);
        int i0 = ti * job.TaskRows;
        int j0 = tj * job.TaskColumns;
        int i1 = Math.Min(job.M, i0 + job.TaskRows);
        int j1 = Math.Min(job.N, j0 + job.TaskColumns);
        float* buffer = PackBuffer.Get();
        switch (job.Tier)
        {
            case SimdTier.Vector512:
                RunBlock<Gemm512Kernel>(in job, i0, i1, j0, j1, buffer);
                break;
            case SimdTier.Vector256:
                RunBlock<Gemm256Kernel>(in job, i0, i1, j0, j1, buffer);
                break;
            case SimdTier.Vector128:
                RunBlock<Gemm128Kernel>(in job, i0, i1, j0, j1, buffer);
                break;
            default:
                RunBlock<GemmScalarKernel>(in job, i0, i1, j0, j1, buffer);
                break;
        }
    }

    /// <summary>Task <paramref name="task"/> of a shared-B packing pass: one column chunk of one K block, at its place in the PackedMatrix layout.</summary>
    private static void PackSharedB(in GemmJob job, int task)
    {
        int block = task / job.ColumnTasks;
        int jc = (task - (block * job.ColumnTasks)) * MaxNc;
        int p0 = block * job.Kc;
        int kc = Math.Min(job.Kc, job.K - p0);
        int nc = Math.Min(MaxNc, job.N - jc);
        float* dst = job.PackedB + ((nint)p0 * job.PackedStride) + ((nint)jc * kc);
        PackB(job.TransB, job.B, job.Ldb, p0, kc, jc, nc, dst, TileFor(job.Tier).NR);
    }

    /// <summary>The microkernel tile (MR×NR) of a tier.</summary>
    internal static (int MR, int NR) TileFor(SimdTier tier) => tier switch
    {
        SimdTier.Vector512 => (Gemm512Kernel.MR, Gemm512Kernel.NR),
        SimdTier.Vector256 => (Gemm256Kernel.MR, Gemm256Kernel.NR),
        SimdTier.Vector128 => (Gemm128Kernel.MR, Gemm128Kernel.NR),
        _ => (GemmScalarKernel.MR, GemmScalarKernel.NR),
    };

    /// <summary>The K block size for a given k: K cut into (nearly) equal blocks of at most <see cref="MaxKc"/>.</summary>
    internal static int KcFor(int k)
    {
        int kBlocks = (k + MaxKc - 1) / MaxKc;
        return kBlocks == 0 ? 1 : (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>Rows of A per packed block for a kernel: the multiple of MR nearest below <see cref="TargetMc"/>.</summary>
    internal static int McFor(int mr) => TargetMc / mr * mr;

    /// <summary>Computes the block <c>C[i0..i1, j0..j1]</c>: the Goto loop nest around the microkernel.</summary>
    private static void RunBlock<TKernel>(in GemmJob job, int i0, int i1, int j0, int j1, float* buffer)
        where TKernel : struct, IGemmMicrokernel
    {
        int mr = TKernel.MR;
        int nr = TKernel.NR;
        int mcMax = McFor(mr);
        float* packA = buffer;                       // [mc/MR panels][kc][MR]
        float* packB = buffer + PackBuffer.ASize;    // [nc/NR panels][kc][NR]
        float* edge = stackalloc float[mr * nr];     // one tile, for the ragged right/bottom edges of C
        nint ldc = job.Ldc;

        for (int p0 = 0; p0 < job.K; p0 += job.Kc)
        {
            int kc = Math.Min(job.Kc, job.K - p0);

            // The first K block applies beta; later blocks accumulate onto it.
            float beta = p0 == 0 ? job.Beta : 1f;
            for (int jc = j0; jc < j1; jc += MaxNc)
            {
                int nc = Math.Min(MaxNc, j1 - jc);
                float* bBlock;
                if (job.PackedB != null)
                {
                    // Pre-packed (PackedMatrix): the same panels PackB would write, at their place in the whole matrix.
                    bBlock = job.PackedB + ((nint)p0 * job.PackedStride) + ((nint)(jc + job.PackedColumn0) * kc);
                }
                else
                {
                    PackB(job.TransB, job.B, job.Ldb, p0, kc, jc, nc, packB, nr);
                    bBlock = packB;
                }

                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    PackA(job.TransA, job.A, job.Lda, ic, mc, p0, kc, packA, mr);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrEff = Math.Min(nr, nc - jr);
                        float* bp = bBlock + ((nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrEff = Math.Min(mr, mc - ir);
                            float* ap = packA + ((nint)ir * kc);
                            float* cp = job.C + ((nint)(ic + ir) * ldc) + jc + jr;
                            if (p0 == 0 && job.Bias != null)
                            {
                                // The tile's old content is the bias row: write it now, while the tile is about to be
                                // read anyway (the same bits as a broadcast over all of C first, without that pass).
                                FillRows(job.Bias + jc + jr, cp, ldc, mrEff, nrEff);
                            }

                            if (mrEff == mr && nrEff == nr)
                            {
                                TKernel.Run(kc, ap, bp, cp, ldc, job.Alpha, beta);
                            }
                            else if (mrEff == mr && nrEff % TKernel.Lanes == 0)
                            {
                                // A right edge of whole vectors (n = 128 with NR = 48: the last 32 columns): only
                                // those vectors, straight into C.
                                TKernel.RunLeft(kc, ap, bp, cp, ldc, job.Alpha, beta, nrEff);
                            }
                            else
                            {
                                // Edge tile: compute the (zero-padded) tile into a scratch tile — only its top half
                                // when the valid rows fit there, else only the vectors that hold the valid columns —
                                // then write back only the valid part, so nothing outside C is read or written.
                                if (mrEff <= mr / 2)
                                {
                                    TKernel.RunHalf(kc, ap, bp, edge);
                                }
                                else
                                {
                                    TKernel.RunLeft(kc, ap, bp, edge, nr, 1f, 0f, nrEff);
                                }

                                StoreEdge(edge, nr, cp, ldc, mrEff, nrEff, job.Alpha, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void FillRows(float* row, float* c, nint ldc, int rows, int cols)
    {
        var source = new ReadOnlySpan<float>(row, cols);
        for (int r = 0; r < rows; r++)
        {
            source.CopyTo(new Span<float>(c + (r * ldc), cols));
        }
    }

    /// <summary>
    /// Writes the valid part of an edge tile: <c>C = alpha·tile + beta·C</c> (C not read when beta is 0), with
    /// separate multiplies and adds (the JIT does not contract them), vector by vector and then element by element:
    /// the same bits either way.
    /// </summary>
    private static void StoreEdge(float* tile, int tileStride, float* c, nint ldc, int rows, int cols, float alpha, float beta)
    {
        int width = Vector<float>.Count;
        var va = new Vector<float>(alpha);
        var vb = new Vector<float>(beta);
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + (r * tileStride);
            float* cr = c + (r * ldc);
            int j = 0;
            if (beta == 0f)
            {
                for (; j + width <= cols; j += width)
                {
                    Vector.Store(va * Vector.Load(t + j), cr + j);
                }

                for (; j < cols; j++)
                {
                    cr[j] = alpha * t[j];
                }
            }
            else
            {
                for (; j + width <= cols; j += width)
                {
                    Vector.Store((va * Vector.Load(t + j)) + (vb * Vector.Load(cr + j)), cr + j);
                }

                for (; j < cols; j++)
                {
                    cr[j] = (alpha * t[j]) + (beta * cr[j]);
                }
            }
        }
    }

    /// <summary>
    /// The calling thread's buffer for a shared packed B (read by the pool's helpers during the call): pinned,
    /// 64-byte aligned, grown to the largest B seen (at most <see cref="MaxSharedB"/> floats) and then reused.
    /// </summary>
    private static class SharedPackBuffer
    {
        [ThreadStatic]
        private static float[]? t_array;

        [ThreadStatic]
        private static nint t_aligned;

        public static float* Get(long floats)
        {
            Debug.Assert(floats <= MaxSharedB);
            return PinnedBuffer.Ensure(ref t_array, ref t_aligned, floats);
        }
    }

    /// <summary>Per-thread pack buffers: allocated once per thread (pinned, 64-byte aligned), reused by every call.</summary>
    private static class PackBuffer
    {
        /// <summary>Floats reserved for packed A (TargetMc × MaxKc).</summary>
        public const int ASize = TargetMc * MaxKc;

        /// <summary>Floats reserved for packed B (MaxKc × MaxNc).</summary>
        private const int BSize = MaxKc * MaxNc;

        [ThreadStatic]
        private static float[]? t_array;

        [ThreadStatic]
        private static nint t_aligned;

        public static float* Get() => PinnedBuffer.Ensure(ref t_array, ref t_aligned, ASize + BSize);
    }
}
