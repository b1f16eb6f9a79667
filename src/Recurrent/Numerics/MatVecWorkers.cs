using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Recurrent.Numerics;

/// <summary>
/// A second thread for the batch-1 mat-vec <c>y = A·x</c>. The rows are cut into chunks (whole multiples of eight rows,
/// the same cut for every call of a shape); the caller claims chunks from the first upwards, a helper thread from the
/// last downwards, until they meet. Each row is computed by the same kernel sequence whichever chunk or thread it falls
/// in, so the result never depends on who computed what.
/// </summary>
/// <remarks>
/// <para>
/// Token-by-token generation calls the mat-vec a few times per token, microseconds apart, so waking a blocked thread
/// per call (tens of microseconds) would cost more than it saves: the helper spins for a short while after each call,
/// waiting for the next one, and only then blocks on its semaphore. On a quiet machine the two threads meet near the
/// middle every call, so each core keeps re-reading about the same half of the weights from its own cache.
/// </para>
/// <para>
/// The caller never waits for a helper that has not started: if the helper is not running (the machine is busy, or
/// it is still waking up), the caller claims every chunk itself and withdraws the offer. If it had to wait long for
/// the helper's last chunk (the helper was descheduled), the next calls run on the caller alone. One call at a time
/// uses the helper; a concurrent caller gets false from <see cref="TryRun"/> and runs the product on its own thread.
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001", Justification = "A process-lifetime singleton: its thread and semaphore live as long as the process.")]
internal sealed unsafe class MatVecWorkers
{
    /// <summary>The process-wide helper.</summary>
    public static readonly MatVecWorkers Shared = new();

    private const int Idle = 0, Offered = 1, Running = 2, Withdrawn = 3, Finished = 4;

    // Calls the caller runs alone after the helper kept it waiting (the helper's core is taken by other work).
    private const int BackoffCalls = 256;

    // How long an idle helper spins for the next call before it blocks (about 100 µs).
    private static readonly long s_spinTicks = Math.Max(1, Stopwatch.Frequency / 10_000);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private Thread? _thread;
    private int[] _claims = new int[64]; // [chunks] 1 once a thread has taken the chunk
    private int _generation; // bumped for each call
    private int _sleeping;   // 1 while the helper is (about to be) blocked on _wake
    private int _state;      // Idle / Offered / Running / Withdrawn / Finished
    private int _callerCpu = -1; // the processor the last caller ran on
    private int _backoff;    // calls left to run on the caller alone after the helper stalled a call

    // The current call: written before _state becomes Offered, read-only until the call returns.
    private SimdTier _tier;
    private float* _a;
    private nint _lda;
    private float* _x;
    private int _n;
    private float _beta;
    private float* _y;
    private int _m;
    private int _chunkRows;
    private int _chunks;

    /// <summary>The rows of one chunk for rows of <paramref name="n"/> columns: a multiple of eight, about 32 KB of A.</summary>
    public static int ChunkRows(int n) => Math.Max(8, ((8192 / Math.Max(n, 1)) + 7) & ~7);

    /// <summary>
    /// Computes <c>y[i] = A[i, :]·x (+ beta·y[i])</c> for all m rows with the helper thread's help. Returns false
    /// (computing nothing) when another call is using the helper, or for a while after the helper kept a call waiting.
    /// </summary>
    public bool TryRun(SimdTier tier, float* a, int lda, float* x, int m, int n, float beta, float* y)
    {
        if (!_lock.TryEnter())
        {
            return false;
        }

        try
        {
            if (_backoff > 0)
            {
                _backoff--;
                return false;
            }

            Volatile.Write(ref _callerCpu, Thread.GetCurrentProcessorId());
            if (_thread is null)
            {
                _thread = new Thread(HelperLoop) { IsBackground = true, Name = "Recurrent mat-vec helper" };
                _thread.Start();
            }

            int chunkRows = ChunkRows(n);
            int chunks = (m + chunkRows - 1) / chunkRows;
            if (_claims.Length < chunks)
            {
                _claims = new int[Math.Max(chunks, 2 * _claims.Length)];
            }

            Array.Clear(_claims, 0, chunks);
            _tier = tier;
            _a = a;
            _lda = lda;
            _x = x;
            _n = n;
            _beta = beta;
            _y = y;
            _m = m;
            _chunkRows = chunkRows;
            _chunks = chunks;
            Volatile.Write(ref _state, Offered);
            Interlocked.Increment(ref _generation);
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
            {
                _wake.Release();
            }

            int[] claims = _claims;
            for (int c = 0; c < chunks && Interlocked.Exchange(ref claims[c], 1) == 0; c++)
            {
                RunChunk(c);
            }

            // Every chunk is claimed. Withdraw the offer if the helper has not taken it; else wait for its last chunk.
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Offered) != Offered)
            {
                int spins = 0;
                long waitStart = 0;
                while (Volatile.Read(ref _state) != Finished)
                {
                    if ((++spins & 1023) == 0)
                    {
                        // The helper was descheduled inside a chunk (a busy machine): let it run, and do the next
                        // calls alone for a while rather than wait on it again.
                        Thread.Yield();
                        if (waitStart == 0)
                        {
                            waitStart = Stopwatch.GetTimestamp();
                        }
                        else if (Stopwatch.GetTimestamp() - waitStart > s_spinTicks / 4)
                        {
                            _backoff = BackoffCalls;
                        }
                    }
                    else
                    {
                        Thread.SpinWait(4);
                    }
                }
            }

            Volatile.Write(ref _state, Idle);
        }
        finally
        {
            _lock.Exit();
        }

        return true;
    }

    private void RunChunk(int c)
    {
        int i0 = c * _chunkRows;
        Gemm.MatVecRows(_tier, _a, _lda, _x, _n, _beta, _y, i0, Math.Min(_m, i0 + _chunkRows));
    }

    private void HelperLoop()
    {
        int seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                // Block after the spin time, or at once when the scheduler has put this thread on the caller's
                // processor: spinning there would only take time from the caller.
                if ((++spins & 63) == 0 && (Stopwatch.GetTimestamp() - start > s_spinTicks || Thread.GetCurrentProcessorId() == Volatile.Read(ref _callerCpu)))
                {
                    // Exactly one side flips _sleeping back from 1 to 0: if the caller does, it releases _wake once.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _generation) == seen || Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1)
                    {
                        _wake.Wait();
                    }

                    break;
                }

                Thread.SpinWait(4);
            }

            seen = Volatile.Read(ref _generation);

            // Take the current call only if it is still on offer (the caller may have done it all and withdrawn).
            if (Interlocked.CompareExchange(ref _state, Running, Offered) == Offered)
            {
                int[] claims = _claims;
                for (int c = _chunks - 1; c >= 0 && Interlocked.Exchange(ref claims[c], 1) == 0; c--)
                {
                    RunChunk(c);
                }

                Volatile.Write(ref _state, Finished);
            }
        }
    }
}
