namespace Recurrent.Numerics;

/// <summary>
/// One GEMM call, as raw pointers (the caller keeps its spans pinned until every task has run) plus its fixed
/// task grid and K blocking, both derived from the shape and tier only.
/// </summary>
internal readonly unsafe struct GemmJob
{
    public GemmJob(
        SimdTier tier, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
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

        (int mr, int nr) = tier switch
        {
            SimdTier.Vector512 => (Gemm512Kernel.MR, Gemm512Kernel.NR),
            SimdTier.Vector256 => (Gemm256Kernel.MR, Gemm256Kernel.NR),
            SimdTier.Vector128 => (Gemm128Kernel.MR, Gemm128Kernel.NR),
            _ => (GemmScalarKernel.MR, GemmScalarKernel.NR),
        };

        // K blocks of (nearly) equal size, at most MaxKc.
        int kBlocks = (k + Gemm.MaxKc - 1) / Gemm.MaxKc;
        Kc = kBlocks == 0 ? 1 : (k + kBlocks - 1) / kBlocks;

        // Task grid: about TargetTaskEdge rows × columns per task, cut on MC / NR multiples so that tile edges
        // (and with them each element's operation sequence) do not depend on the grid.
        int mc = Gemm.McFor(mr);
        int taskRows = Split(m, mc);
        int taskColumns = Split(n, nr);

        // A product big enough to run in parallel gets at least MinParallelTasks tasks (for load balance when
        // m and n are small but k is large, e.g. [700×10000]·[10000×200]): halve the longer task edge, down
        // to one MC block of rows or four NR panels of columns. Still a function of the shape only.
        if ((long)m * n * k >= Gemm.ParallelThreshold)
        {
            while (Count(m, taskRows) * Count(n, taskColumns) < MinParallelTasks)
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

    /// <summary>The fewest tasks a parallel-sized product is cut into.</summary>
    private const int MinParallelTasks = 8;

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
