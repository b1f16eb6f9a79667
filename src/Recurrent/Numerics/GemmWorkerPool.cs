using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace Recurrent.Numerics;

/// <summary>
/// A small dedicated worker pool for the GEMM and for other fixed partitions of work (<see cref="IParallelWork"/>):
/// the calling thread plus up to N−1 helper threads pull task indices from one shared counter. No allocation per
/// call (no closures, no <c>Task</c>s); helpers block on a semaphore between calls. One call at a time uses the
/// pool; a concurrent caller, or a nested call from a task that is running on the pool, runs on its own thread
/// instead (the result is the same either way).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A process-lifetime singleton: its threads and events live as long as the process.")]
internal sealed class GemmWorkerPool
{
    /// <summary>The process-wide pool.</summary>
    public static readonly GemmWorkerPool Shared = new();

    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly List<Thread> _threads = [];
    private int _busy;  // 1 while a call owns the pool (not re-entrant, unlike a lock: a nested call must not take it)
    private GemmJob _job;
    private IParallelWork? _work;
    private int _taskCount;
    private int _nextTask;
    private int _remaining;
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Runs every task of <paramref name="job"/> on the calling thread and <paramref name="helpers"/> pool
    /// threads, and returns when all are done. Returns false (running nothing) when the pool is busy.
    /// </summary>
    public bool TryRun(in GemmJob job, int helpers)
    {
        Debug.Assert(helpers > 0);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        _job = job;
        _taskCount = job.TaskCount;
        Dispatch(helpers);
        _job = default;
        return true;
    }

    /// <summary>
    /// Runs <c>work.Run(0 … parts − 1)</c> on the calling thread and <paramref name="helpers"/> pool threads, and
    /// returns when all are done. Returns false (running nothing) when the pool is busy. An exception thrown by a
    /// part is re-thrown here, after every other part has finished.
    /// </summary>
    public bool TryRun(IParallelWork work, int parts, int helpers)
    {
        Debug.Assert(helpers > 0);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        _work = work;
        _taskCount = parts;
        Dispatch(helpers);
        _work = null;
        return true;
    }

    private void Dispatch(int helpers)
    {
        try
        {
            while (_threads.Count < helpers)
            {
                var thread = new Thread(WorkerLoop)
                {
                    IsBackground = true,
                    Name = "Recurrent worker " + _threads.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                thread.Start();
                _threads.Add(thread);
            }

            _nextTask = 0;
            _remaining = helpers;
            _done.Reset();
            _start.Release(helpers);
            RunTasks();
            _done.Wait();
            ExceptionDispatchInfo? failure = _failure;
            _failure = null;
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void RunTasks()
    {
        int count = _taskCount;
        int t;
        while ((t = Interlocked.Increment(ref _nextTask) - 1) < count)
        {
            if (_work is { } work)
            {
                try
                {
                    work.Run(t);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
            }
            else
            {
                Gemm.RunTask(in _job, t);
            }
        }
    }

    /// <summary>
    /// How long a helper keeps polling for the next call before it blocks. Batch-1 sampling hands a mat-vec over
    /// every few hundred microseconds, and waking a blocked thread (on a virtual machine, a halted virtual CPU) can
    /// cost about as much as the work; polling for a bounded time after each call keeps back-to-back calls cheap and
    /// costs at most this much CPU per call when no call follows.
    /// </summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000; // 1 ms

    private void WorkerLoop()
    {
        while (true)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (_start.CurrentCount == 0 && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(16);
            }

            _start.Wait();
            RunTasks();
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }
}
