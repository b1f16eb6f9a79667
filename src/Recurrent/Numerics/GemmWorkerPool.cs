using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Recurrent.Numerics;

/// <summary>
/// A small dedicated worker pool for the GEMM: the calling thread plus up to N−1 helper threads pull task
/// indices from one shared counter. No allocation per call (no closures, no <c>Task</c>s); helpers block on a
/// semaphore between calls. One GEMM at a time uses the pool; a concurrent caller runs on its own thread
/// instead (the result is the same either way).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A process-lifetime singleton: its threads and events live as long as the process.")]
internal sealed class GemmWorkerPool
{
    /// <summary>The process-wide pool.</summary>
    public static readonly GemmWorkerPool Shared = new();

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly List<Thread> _threads = [];
    private GemmJob _job;
    private int _nextTask;
    private int _remaining;

    /// <summary>
    /// Runs every task of <paramref name="job"/> on the calling thread and <paramref name="helpers"/> pool
    /// threads, and returns when all are done. Returns false (running nothing) when the pool is busy.
    /// </summary>
    public bool TryRun(in GemmJob job, int helpers)
    {
        Debug.Assert(helpers > 0);
        if (!_lock.TryEnter())
        {
            return false;
        }

        try
        {
            while (_threads.Count < helpers)
            {
                var thread = new Thread(WorkerLoop)
                {
                    IsBackground = true,
                    Name = "Recurrent GEMM worker " + _threads.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                thread.Start();
                _threads.Add(thread);
            }

            _job = job;
            _nextTask = 0;
            _remaining = helpers;
            _done.Reset();
            _start.Release(helpers);
            RunTasks();
            _done.Wait();
            _job = default;
        }
        finally
        {
            _lock.Exit();
        }

        return true;
    }

    private void RunTasks()
    {
        int count = _job.TaskCount;
        int t;
        while ((t = Interlocked.Increment(ref _nextTask) - 1) < count)
        {
            Gemm.RunTask(in _job, t);
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            RunTasks();
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }
}
