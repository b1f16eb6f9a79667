namespace Recurrent.Tests.TestUtilities;

/// <summary>Measures steady-state allocation on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> in up to <paramref name="rounds"/> rounds and returns the fewest bytes the calling
    /// thread allocated in one round (stopping at the first round that allocated nothing). A steady-state allocation
    /// shows in every round; a one-off allocation by the runtime on the test thread (for example re-creating the
    /// tiered-JIT background worker after it went idle, while the test machine is busy) shows in one round only.
    /// </summary>
    public static long FewestBytesPerRound(Action action, int rounds = 3)
    {
        long fewest = long.MaxValue;
        for (int r = 0; r < rounds && fewest > 0; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
