namespace Recurrent.Numerics;

/// <summary>
/// A fixed partition of work into independent parts, run by <see cref="ParallelWork.Run"/> on the GEMM worker pool.
/// An implementation is usually the object that owns the data (no closure, nothing allocated per call).
/// </summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/>. Parts may run concurrently, in any order, on any thread.</summary>
    void Run(int part);
}

/// <summary>Runs an <see cref="IParallelWork"/> on the worker pool, or on the calling thread when the pool is busy.</summary>
internal static class ParallelWork
{
    /// <summary>
    /// Runs parts 0 … <paramref name="parts"/> − 1 of <paramref name="work"/> on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (the caller and pool helpers), and returns when all are done.
    /// When the pool is busy (a concurrent caller, or this call is nested in a part that is running on the pool)
    /// the parts run one after another on the calling thread. Either way every part runs exactly once, so a work
    /// whose parts are independent gives the same result.
    /// </summary>
    public static void Run(IParallelWork work, int parts, int maxDegreeOfParallelism)
    {
        int helpers = Math.Min(maxDegreeOfParallelism, parts) - 1;
        if (helpers > 0 && GemmWorkerPool.Shared.TryRun(work, parts, helpers))
        {
            return;
        }

        for (int part = 0; part < parts; part++)
        {
            work.Run(part);
        }
    }
}
