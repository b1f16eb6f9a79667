namespace Recurrent.Numerics;

/// <summary>
/// One GEMM call, as raw pointers (the caller keeps its spans pinned until every task has run) plus its task grid
/// and K blocking. The K blocks and the tile positions depend on the shape and tier only; the task grid (which
/// thread computes which tiles) also on the thread budget, which therefore never changes a result.
/// </summary>
internal readonly unsafe struct GemmJob
{
    public GemmJob(
        SimdTier tier, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, int maxDegreeOfParallelism, float* packedB = null, int packedStride = 0)
    {
        Tier = tier;
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        Alpha = alpha;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        Beta = beta;
        C = c;
        Ldc = ldc;
        PackedB = packedB;
        PackedStride = packedStride;

        (int mr, int nr) = Gemm.TileFor(tier);

        // K blocks of (nearly) equal size, at most MaxKc.
        Kc = Gemm.KcFor(k);

        // Task grid: about 512 rows × columns per task, cut on MC / NR multiples so that tile edges (and with them
        // each element's operation sequence) do not depend on the grid: the grid only decides which thread computes
        // which tiles, and how often each task re-packs its share of A and B.
        int mc = Gemm.McFor(mr);
        int taskRows = Split(m, mc);
        int taskColumns = Split(n, nr);
        bool parallel = maxDegreeOfParallelism > 1 && (long)m * n * k >= Gemm.ParallelThreshold;

        // A parallel product whose B every row of tasks would pack again (more than one task row) packs op(B) once,
        // before the tasks run, into a buffer all of them read (the PackedMatrix layout, so the result is the same
        // bits): then cutting the rows finer costs no packing, and A is still packed once per column task.
        SharesB = parallel && packedB == null && (m > taskRows || MinTasksPerThread * maxDegreeOfParallelism > Count(n, taskColumns))
            && (long)k * RoundUp(n, nr) <= Gemm.MaxSharedB;

        // A product that runs in parallel gets at least MinTasksPerThread tasks per thread (for load balance when
        // m and n are small but k is large, e.g. [700×10000]·[10000×200]). Tile edges stay on the MR / NR grid
        // either way. On one thread this split would only make each task re-pack its share again, so it is skipped.
        if (parallel)
        {
            int minTasks = MinTasksPerThread * maxDegreeOfParallelism;
            if (SharesB || packedB != null)
            {
                // B is packed once, so a cut costs re-reads: every row of tasks streams its columns of packed B again
                // (|B| per extra task row), every column of tasks packs its rows of A again (|A| per extra task
                // column, counted twice: packing reads strided and writes). Cut whichever edge adds less, down to
                // MR rows or NR columns. Rows first would make [64×2048]·[2048×512] (an LSTM's backward step) eight
                // 8-row tasks that each stream all of B; its columns are what is cheap to cut.
                long aCost = 2L * m * k, bCost = (long)k * n;
                while (Count(m, taskRows) * Count(n, taskColumns) < minTasks)
                {
                    bool canRows = taskRows > mr, canColumns = taskColumns > nr;
                    if (!canRows && !canColumns)
                    {
                        break;
                    }

                    if (canRows && (!canColumns || Count(m, taskRows) * bCost <= Count(n, taskColumns) * aCost))
                    {
                        taskRows = RoundUp((taskRows + 1) / 2, mr);
                    }
                    else
                    {
                        taskColumns = RoundUp((taskColumns + 1) / 2, nr);
                    }
                }
            }
            else
            {
                // B packed per task: halve the longer task edge, down to one MC block of rows or four NR panels of
                // columns (each task packs its own share of B, so finer cuts re-pack more).
                while (Count(m, taskRows) * Count(n, taskColumns) < minTasks)
                {
                    if (taskRows >= taskColumns && taskRows > mc)
                    {
                        taskRows = RoundUp((taskRows + 1) / 2, mc);
                    }
                    else if (taskColumns > 4 * nr)
                    {
                        taskColumns = RoundUp((taskColumns + 1) / 2, nr);
                    }
                    else if (taskRows > mc)
                    {
                        taskRows = RoundUp((taskRows + 1) / 2, mc);
                    }
                    else
                    {
                        break;
                    }
                }
            }
        }

        TaskRows = taskRows;
        TaskColumns = taskColumns;
        ColumnTasks = Count(n, taskColumns);
        TaskCount = Count(m, taskRows) * ColumnTasks;
    }

    /// <summary>The fewest tasks per thread a parallel product is cut into.</summary>
    private const int MinTasksPerThread = 4;

    public SimdTier Tier { get; }

    public bool TransA { get; }

    public bool TransB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public float Alpha { get; }

    public float* A { get; }

    public int Lda { get; }

    public float* B { get; }

    public int Ldb { get; }

    public float Beta { get; }

    public float* C { get; }

    public int Ldc { get; }

    /// <summary>Gets the pre-packed op(B) (<see cref="PackedMatrix"/> layout), or null when B is packed per task.</summary>
    public float* PackedB { get; init; }

    /// <summary>Gets the floats per row of a pre-packed K block (n rounded up to NR); block p0 starts at p0·stride.</summary>
    public int PackedStride { get; init; }

    /// <summary>Gets the column of the pre-packed op(B) that column 0 of this product is (a multiple of NR; 0 for the whole matrix).</summary>
    public int PackedColumn0 { get; init; }

    /// <summary>
    /// Gets a row [n] that stands in for every row of C's old content (<c>C = alpha·op(A)·op(B) + beta·bias</c>), or
    /// null: each tile's rows are filled from it just before the first K block accumulates onto them.
    /// </summary>
    public float* Bias { get; init; }

    /// <summary>
    /// Gets a value indicating whether the grid was cut for op(B) packed once per call into a shared buffer
    /// (<see cref="Gemm"/> packs it and sets <see cref="PackedB"/> before the tasks run).
    /// </summary>
    public bool SharesB { get; }

    /// <summary>
    /// Gets a value indicating whether this is the packing pass of a shared B: task t packs column chunk
    /// t mod <see cref="ColumnTasks"/> of K block t / <see cref="ColumnTasks"/> into <see cref="PackedB"/>.
    /// </summary>
    public bool PacksB { get; init; }

    /// <summary>Gets the K block size.</summary>
    public int Kc { get; }

    /// <summary>Gets the rows of C per task (a multiple of MC, or all of m).</summary>
    public int TaskRows { get; }

    /// <summary>Gets the columns of C per task (a multiple of NR, or all of n).</summary>
    public int TaskColumns { get; }

    /// <summary>Gets the number of task columns in the grid.</summary>
    public int ColumnTasks { get; init; }

    /// <summary>Gets the number of tasks.</summary>
    public int TaskCount { get; init; }

    /// <summary>The packing pass of a shared B: K blocks × chunks of <see cref="Gemm.MaxNc"/> columns, into <paramref name="packed"/>.</summary>
    public GemmJob ForPackingB(float* packed, int paddedN)
    {
        int kBlocks = Count(K, Kc);
        int chunks = Count(N, Gemm.MaxNc);
        return this with { PackedB = packed, PackedStride = paddedN, PacksB = true, ColumnTasks = chunks, TaskCount = kBlocks * chunks };
    }

    private static int Split(int extent, int quantum)
    {
        const int Edge = 512;
        if (extent <= Edge + (Edge / 2))
        {
            return Math.Max(extent, 1);
        }

        int parts = (extent + Edge - 1) / Edge;
        return RoundUp((extent + parts - 1) / parts, quantum);
    }

    internal static int RoundUp(int value, int quantum) => (value + quantum - 1) / quantum * quantum;

    private static int Count(int extent, int size) => (extent + size - 1) / size;
}
