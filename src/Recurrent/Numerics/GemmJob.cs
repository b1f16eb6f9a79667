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

        // A product that runs in parallel gets at least MinTasksPerThread tasks per thread (for load balance when
        // m and n are small but k is large, e.g. [700×10000]·[10000×200]): halve the longer task edge, down to
        // one MC block of rows or four NR panels of columns. On one thread this split would only make each task
        // re-pack its share of A and B again, so it is skipped.
        if (maxDegreeOfParallelism > 1 && (long)m * n * k >= Gemm.ParallelThreshold)
        {
            int minTasks = MinTasksPerThread * maxDegreeOfParallelism;
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

    /// <summary>Gets the pre-packed op(B) (<see cref="PackedMatrix"/> layout), or null when B is packed per call.</summary>
    public float* PackedB { get; }

    /// <summary>Gets the floats per row of a pre-packed K block (n rounded up to NR); block p0 starts at p0·stride.</summary>
    public int PackedStride { get; }

    /// <summary>Gets the K block size.</summary>
    public int Kc { get; }

    /// <summary>Gets the rows of C per task (a multiple of MC, or all of m).</summary>
    public int TaskRows { get; }

    /// <summary>Gets the columns of C per task (a multiple of NR, or all of n).</summary>
    public int TaskColumns { get; }

    /// <summary>Gets the number of task columns in the grid.</summary>
    public int ColumnTasks { get; }

    /// <summary>Gets the number of tasks.</summary>
    public int TaskCount { get; }

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

    private static int RoundUp(int value, int quantum) => (value + quantum - 1) / quantum * quantum;

    private static int Count(int extent, int size) => (extent + size - 1) / size;
}
