using System.Numerics.Tensors;
using Recurrent.Models.Cells;
using Recurrent.Numerics;

namespace Recurrent.Models;

/// <summary>
/// One recurrent layer: runs a cell over a window with one input-projection GEMM for all steps, one recurrent
/// GEMM per step, and, in backward, one GEMM per weight matrix over the whole window. With B ≥ 16 and more than
/// one thread the time loop runs its lanes in parts, one per thread (<see cref="LaneParts"/>).
/// </summary>
/// <remarks>
/// <para>Legend: T steps, B lanes, N = T·B rows, X input size (the embedding size, the hidden size of the layer below,
/// or V for one-hot input), H hidden units, G gate blocks, CW cached blocks per lane (<see cref="IRecurrentCell.CacheWidth"/>).</para>
/// <para>Weights in PyTorch layout: W_ih <c>[G·H, X]</c>, W_hh <c>[G·H, H]</c>, b_ih and b_hh <c>[G·H]</c>. With one-hot input
/// (the first layer of a model with EmbeddingSize 0) x_t is never materialised: <c>W_ih·x_t</c> is column <c>id_t</c> of W_ih.</para>
/// <para>The window buffers are grown when a longer window arrives and reused otherwise, so steady-state training
/// allocates nothing.</para>
/// </remarks>
internal sealed unsafe class RecurrentLayer : IParallelWork
{
    /// <summary>The fewest lanes a part of the lane-parallel time loop gets (one AVX-512 GEMM tile of rows).</summary>
    internal const int MinLanesPerPart = 8;

    /// <summary>
    /// W_hh larger than this (bytes, 2 MiB: more than a core's L2) runs a lane-parallel time loop with thin parts as
    /// a gang (see <see cref="RunGang"/>).
    /// </summary>
    internal const long DefaultGangMinWeightBytes = 2L << 20;

    [ThreadStatic]
    private static long? t_gangMinWeightBytes;

    private static long s_gangForwardRuns, s_gangBackwardRuns;

    private readonly IRecurrentCell _cell;
    private readonly int _inputSize;   // X
    private readonly int _hiddenSize;  // H
    private readonly int _gates;       // G·H
    private readonly bool _oneHot;
    private readonly int _wih, _whh, _bih, _bhh; // offsets in the flat buffers; bias offsets −1 without biases

    private float[] _xg = [];     // [N, G·H]: input-side preactivations; reused as dL/dxg in backward
    private float[] _dhg = [];    // [N, G·H]: dL/dhg (GRU only)
    private float[] _tableXg = [];   // [V, G·H]: the input projection of every table row (table input only)
    private float[] _tableGrad = []; // [V, G·H]: dxg summed per table row (table input only)
    private float[] _cache = [];  // [N, CW·H]
    private float[] _hs = [];     // [(T+1)·B, H]: h_{−1} (the initial state), h_0 … h_{T−1}
    private float[] _cs = [];     // [(T+1)·B, H]: the same for c (LSTM)
    private float[] _hg = [];     // [B, G·H]: recurrent preactivations of one step
    private float[] _dh = [];     // [B, H]: dL/dh_t of one step
    private float[] _dhNext = []; // [B, H]: dL/dh_{t−1} carried to the previous step
    private float[] _dcNext = []; // [B, H]: dL/dc_{t−1}
    private int _steps, _batch;

    // W_hh packed once per window for the per-step GEMMs (B > 1): op(B) = W_hhᵀ [H, G·H] for the forward step and
    // op(B) = W_hh [G·H, H] for the backward step. Both are packed at the start of Forward (the backward one only for
    // training), so Backward multiplies by exactly the weights the forward pass used. Re-packing reuses the buffers.
    private readonly PackedMatrix _whhTransposedPacked = new();
    private readonly PackedMatrix _whhPacked = new();
    private bool _backwardPacked;

    // The lane-parallel time loop (see LaneParts): the partition of the last Forward (Backward must cut the cache the
    // same way), and the arguments of the loop that is running on the pool (pinned by the caller for the call).
    private int _parts = 1;
    private bool _gang;             // the running loop is a gang: two barriers per step (see RunGang)
    private int _gangArrived;       // parts at the current barrier
    private int _gangGeneration;    // barriers passed
    private volatile bool _gangFailed;
    private bool _runBackward;
    private float* _runData;   // the parameters (forward) or dL/dh from above (backward)
    private int _runDataLength;

    public RecurrentLayer(IRecurrentCell cell, int inputSize, int hiddenSize, bool oneHotInput, int wih, int whh, int bih, int bhh)
    {
        _cell = cell;
        _inputSize = inputSize;
        _hiddenSize = hiddenSize;
        _gates = cell.GateCount * hiddenSize;
        _oneHot = oneHotInput;
        (_wih, _whh, _bih, _bhh) = (wih, whh, bih, bhh);
    }

    /// <summary>Gets the outputs h_0 … h_{T−1} of the last forward, <c>[N, H]</c>.</summary>
    public ReadOnlySpan<float> Output => _hs.AsSpan(_batch * _hiddenSize, _steps * _batch * _hiddenSize);

    /// <summary>Gets h_{T−1}, <c>[B, H]</c>.</summary>
    public ReadOnlySpan<float> FinalHidden => _hs.AsSpan(_steps * _batch * _hiddenSize, _batch * _hiddenSize);

    /// <summary>Gets c_{T−1}, <c>[B, H]</c> (LSTM).</summary>
    public ReadOnlySpan<float> FinalCell => _cs.AsSpan(_steps * _batch * _hiddenSize, _batch * _hiddenSize);

    /// <summary>Gets dL/dh_{−1} after <see cref="Backward"/>, <c>[B, H]</c>.</summary>
    public ReadOnlySpan<float> InitialHiddenGradient => _dhNext.AsSpan(0, _batch * _hiddenSize);

    /// <summary>Gets dL/dc_{−1} after <see cref="Backward"/>, <c>[B, H]</c> (LSTM).</summary>
    public ReadOnlySpan<float> InitialCellGradient => _dcNext.AsSpan(0, _batch * _hiddenSize);

    /// <summary>
    /// Runs the layer over T steps. <paramref name="input"/> is <c>[N, X]</c> (ignored with one-hot input, which uses
    /// <paramref name="ids"/>); <paramref name="h0"/>, <paramref name="c0"/> are the initial state <c>[B, H]</c>.
    /// <paramref name="train"/> also packs W_hh for <see cref="Backward"/>. With a <paramref name="table"/>
    /// <c>[V, X]</c> (an embedding without dropout) input row n is row <c>ids[n]</c> of the table and
    /// <paramref name="input"/> is ignored: the input projection is computed once per table row and gathered (V·X·G·H
    /// multiply-adds instead of N·X·G·H, for a window with more positions than the vocabulary has ids).
    /// </summary>
    public void Forward(ReadOnlySpan<float> p, ReadOnlySpan<float> input, ReadOnlySpan<int> ids, int steps, int batch, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, bool train, ReadOnlySpan<float> table = default)
    {
        int H = _hiddenSize, GH = _gates, N = steps * batch;
        Ensure(steps, batch);
        _steps = steps;
        _batch = batch;
        Span<float> xg = _xg.AsSpan(0, N * GH);

        // The weights change only between windows (optimizer steps): pack W_hh once here instead of in every step's GEMM.
        // Batch 1 runs the mat-vec on the unpacked weight instead.
        bool packed = batch > 1;
        if (packed)
        {
            ReadOnlySpan<float> whh = p.Slice(_whh, GH * H);
            _whhTransposedPacked.Pack(transB: true, k: H, n: GH, whh, ldb: H);
            if (train)
            {
                _whhPacked.Pack(transB: false, k: GH, n: H, whh, ldb: H);
            }
        }

        _backwardPacked = packed && train;

        // Input projection of all N positions at once: xg = x·W_ihᵀ + b_ih (per table row, then gathered, with a table).
        if (table.IsEmpty)
        {
            InputProjection(p, input, ids, N, xg);
        }
        else
        {
            int X = _inputSize, V = table.Length / X;
            Grow(ref _tableXg, V * GH);
            Span<float> tableXg = _tableXg.AsSpan(0, V * GH);
            MultiplyByTransposedWeight(V, GH, X, table, p.Slice(_wih, GH * X), _bih >= 0 ? p.Slice(_bih, GH) : default, tableXg);
            Kernels.GatherRows(tableXg, GH, ids[..N], xg);
        }

        h0.CopyTo(_hs);
        if (_cell.HasCellState)
        {
            c0.CopyTo(_cs);
        }

        _parts = LaneParts(batch);
        if (_parts == 1)
        {
            ForwardLanes(p, 0, batch, ComputeSettings.MaxDegreeOfParallelism);
        }
        else
        {
            RunLaneParts(backward: false, p);
        }
    }

    /// <summary>
    /// How many parts the time loop is cut into along the batch. Lanes are independent sequences, so with B ≥ 16
    /// and more than one thread each thread runs the whole window for its own lanes, with no hand-off per step
    /// (per-step products are too small to split profitably, e.g. [50×128]·[128×512] for a 2×128 LSTM). Each
    /// lane goes through the same operations whichever part holds it (GEMM rows are independent, and the recurrent
    /// products use alpha = 1 and beta ∈ {0, 1}, for which a row in a ragged edge tile gets the same bits as in a
    /// full tile), so the result does not depend on the partition.
    /// </summary>
    internal static int LaneParts(int batch)
    {
        int threads = ComputeSettings.MaxDegreeOfParallelism;
        return threads > 1 && batch >= 2 * MinLanesPerPart ? Math.Min(threads, batch / MinLanesPerPart) : 1;
    }

    /// <summary>
    /// Gets or sets, for layers run from the current thread, the smallest W_hh (bytes) whose lane-parallel time loop
    /// runs as a gang. Tests lower it to cover the gang on small models; the result is the same bits either way.
    /// </summary>
    internal static long GangMinWeightBytes
    {
        get => t_gangMinWeightBytes ?? DefaultGangMinWeightBytes;
        set => t_gangMinWeightBytes = value;
    }

    /// <summary>Gets how many forward and backward time loops have run as a gang in this process (tests check that the gang ran).</summary>
    internal static (long Forward, long Backward) GangRuns => (Interlocked.Read(ref s_gangForwardRuns), Interlocked.Read(ref s_gangBackwardRuns));

    /// <summary>
    /// Runs the time loop's <see cref="_parts"/> parts on the worker pool; <paramref name="data"/> (the parameters
    /// forward, dL/dh from above backward) stays pinned until every part has run.
    /// </summary>
    private void RunLaneParts(bool backward, ReadOnlySpan<float> data)
    {
        fixed (float* pd = data)
        {
            _runBackward = backward;
            _runData = pd;
            _runDataLength = data.Length;
            try
            {
                if (!RunGang())
                {
                    ParallelWork.Run(this, _parts, ComputeSettings.MaxDegreeOfParallelism);
                }
            }
            finally
            {
                _runData = null;
            }
        }
    }

    /// <summary>
    /// Runs the parts as a gang when W_hh is larger than <see cref="GangMinWeightBytes"/> and the parts are thin
    /// (fewer than 16 lanes each, so each pass over W_hh does little work): every part runs on its own thread, and
    /// at each step computes a panel-aligned share of the columns of the recurrent product for <b>all</b> lanes,
    /// waits for the others, runs the cell for its own lanes, and waits again. Each thread then streams only its
    /// share of W_hh per step instead of all of it (word-m, 2 × 10 lanes: 3.3 of 6.6 MiB), for two spin barriers
    /// per step. (With 32 lanes per part, char-m's steps are not bound by that stream, and the barriers cost more
    /// than the gang saves.) Every element goes through the same operations as in the plain lane-parallel loop (a column of a
    /// product gets the same bits in any tile), so the result is the same. Returns false, running nothing, when the
    /// weights are small or the pool cannot give every part its own thread (a gang run one part after another
    /// would wait forever at its first barrier).
    /// </summary>
    private bool RunGang()
    {
        if ((long)_hiddenSize * _gates * sizeof(float) <= GangMinWeightBytes || _batch / _parts >= 2 * MinLanesPerPart
            || ComputeSettings.MaxDegreeOfParallelism < _parts)
        {
            return false;
        }

        _gang = true;
        _gangArrived = 0;
        _gangFailed = false;
        try
        {
            if (!GemmWorkerPool.Shared.TryRun(this, _parts, _parts - 1))
            {
                return false;
            }

            Interlocked.Increment(ref _runBackward ? ref s_gangBackwardRuns : ref s_gangForwardRuns);
            return true;
        }
        finally
        {
            _gang = false;
        }
    }

    /// <summary>Runs one part of the lane-parallel time loop (<see cref="IParallelWork"/>).</summary>
    void IParallelWork.Run(int part)
    {
        int b0 = part * _batch / _parts, b1 = (part + 1) * _batch / _parts;
        var data = new ReadOnlySpan<float>(_runData, _runDataLength);
        if (_gang)
        {
            try
            {
                if (_runBackward)
                {
                    BackwardGang(data, part, b0, b1);
                }
                else
                {
                    ForwardGang(data, part, b0, b1);
                }
            }
            catch
            {
                _gangFailed = true; // release the parts waiting at a barrier
                throw;
            }
        }
        else if (_runBackward)
        {
            BackwardLanes(default, data, b0, b1, threads: 1);
        }
        else
        {
            ForwardLanes(data, b0, b1, threads: 1);
        }
    }

    /// <summary>Waits until every part of the gang has arrived (a spin barrier; the parts run on their own threads).</summary>
    private void GangBarrier()
    {
        int generation = Volatile.Read(ref _gangGeneration);
        if (Interlocked.Increment(ref _gangArrived) == _parts)
        {
            _gangArrived = 0;
            Interlocked.Increment(ref _gangGeneration);
            return;
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _gangGeneration) == generation)
        {
            if (_gangFailed)
            {
                throw new OperationCanceledException("Another part of the time loop failed.");
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Part <paramref name="part"/>'s share of <paramref name="n"/> columns: whole NR-wide panels of the packed matrix.</summary>
    private (int Start, int End) GangColumns(PackedMatrix packed, int n, int part)
    {
        int nr = Gemm.TileFor(packed.Tier).NR;
        int panels = (n + nr - 1) / nr;
        return (Math.Min(n, part * panels / _parts * nr), Math.Min(n, (part + 1) * panels / _parts * nr));
    }

    /// <summary>The forward time loop of gang part <paramref name="part"/> (lanes <c>[b0, b1)</c>); see <see cref="RunGang"/>.</summary>
    private void ForwardGang(ReadOnlySpan<float> p, int part, int b0, int b1)
    {
        int H = _hiddenSize, GH = _gates, B = _batch, nb = b1 - b0;
        int cw = _cell.CacheWidth * H;
        bool lstm = _cell.HasCellState;
        (int j0, int j1) = GangColumns(_whhTransposedPacked, GH, part);
        Span<float> hg = _hg.AsSpan(0, B * GH);
        for (int t = 0; t < _steps; t++)
        {
            // Columns [j0, j1) of hg = h_{t−1}·W_hhᵀ + b_hh, for all lanes.
            if (j1 > j0)
            {
                ReadOnlySpan<float> bias = _bhh >= 0 ? p.Slice(_bhh + j0, j1 - j0) : default;
                Gemm.MultiplyColumns(1, false, B, 1f, _hs.AsSpan(t * B * H, B * H), H, _whhTransposedPacked, j0, j1 - j0, bias.IsEmpty ? 0f : 1f, bias, hg[j0..], GH);
            }

            GangBarrier();

            // The cell for this part's lanes (rows of lane b0 at step t; the cache is the part's own block).
            int prev = ((t * B) + b0) * H, cur = (((t + 1) * B) + b0) * H;
            _cell.Forward(
                H, _xg.AsSpan(((t * B) + b0) * GH, nb * GH), hg.Slice(b0 * GH, nb * GH),
                _hs.AsSpan(prev, nb * H), lstm ? _cs.AsSpan(prev, nb * H) : default,
                _hs.AsSpan(cur, nb * H), lstm ? _cs.AsSpan(cur, nb * H) : default,
                _cache.AsSpan((t * B * cw) + (b0 * cw), nb * cw));
            GangBarrier();
        }
    }

    /// <summary>The backward time loop of gang part <paramref name="part"/> (lanes <c>[b0, b1)</c>); see <see cref="RunGang"/>.</summary>
    private void BackwardGang(ReadOnlySpan<float> dOutput, int part, int b0, int b1)
    {
        int H = _hiddenSize, GH = _gates, B = _batch;
        bool separate = _cell.SeparateRecurrentGradient;
        (int j0, int j1) = GangColumns(_whhPacked, H, part);
        for (int t = _steps - 1; t >= 0; t--)
        {
            CellBackward(dOutput, t, b0, b1);
            GangBarrier();

            // Columns [j0, j1) of dL/dh_{t−1} += dhg_t·W_hh, for all lanes.
            if (j1 > j0)
            {
                ReadOnlySpan<float> dPre = separate ? _dhg.AsSpan(t * B * GH, B * GH) : _xg.AsSpan(t * B * GH, B * GH);
                Gemm.MultiplyColumns(1, false, B, 1f, dPre, GH, _whhPacked, j0, j1 - j0, 1f, default, _dhNext.AsSpan(j0, ((B - 1) * H) + (j1 - j0)), H);
            }

            GangBarrier();
        }
    }

    /// <summary>The forward time loop for lanes <c>[b0, b1)</c>; per-step products use up to <paramref name="threads"/> threads.</summary>
    private void ForwardLanes(ReadOnlySpan<float> p, int b0, int b1, int threads)
    {
        int H = _hiddenSize, GH = _gates, B = _batch, nb = b1 - b0;
        int cw = _cell.CacheWidth * H;
        bool packed = B > 1;
        bool lstm = _cell.HasCellState;
        for (int t = 0; t < _steps; t++)
        {
            // Rows of lane b0 at step t; the cache of a part is its own [nb, CW·H] block (the cell's layout for nb lanes).
            int prev = ((t * B) + b0) * H, cur = (((t + 1) * B) + b0) * H;
            StepForward(
                p, packed ? _whhTransposedPacked : null, threads, nb, _xg.AsSpan(((t * B) + b0) * GH, nb * GH), _hg.AsSpan(b0 * GH, nb * GH),
                _hs.AsSpan(prev, nb * H), lstm ? _cs.AsSpan(prev, nb * H) : default,
                _hs.AsSpan(cur, nb * H), lstm ? _cs.AsSpan(cur, nb * H) : default,
                _cache.AsSpan((t * B * cw) + (b0 * cw), nb * cw));
        }
    }

    /// <summary>
    /// One step for sampling, with caller-provided scratch: <paramref name="xg"/> must already hold the input projection
    /// <c>[B, G·H]</c> (see <see cref="InputProjection"/>); writes the new state to <paramref name="h"/>, <paramref name="c"/>.
    /// </summary>
    public void StepForward(ReadOnlySpan<float> p, int batch, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache) =>
        StepForward(p, null, ComputeSettings.MaxDegreeOfParallelism, batch, xg, hg, hPrev, cPrev, h, c, cache);

    /// <summary>One step; the recurrent product uses <paramref name="packedTransposedWhh"/> (W_hhᵀ packed) when given, else the unpacked weight.</summary>
    private void StepForward(ReadOnlySpan<float> p, PackedMatrix? packedTransposedWhh, int threads, int batch, Span<float> xg, Span<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> cache)
    {
        int H = _hiddenSize, GH = _gates;
        hg = hg[..(batch * GH)];

        // hg = h_{t−1}·W_hhᵀ + b_hh (one GEMM for all lanes; the bias stands in for hg's old content)
        ReadOnlySpan<float> bias = _bhh >= 0 ? p.Slice(_bhh, GH) : default;
        if (packedTransposedWhh is not null)
        {
            Gemm.MultiplyColumns(threads, transA: false, m: batch, alpha: 1f, hPrev, lda: H, packedTransposedWhh, 0, GH, bias.IsEmpty ? 0f : 1f, bias, hg, ldc: GH);
        }
        else
        {
            MultiplyByTransposedWeight(batch, GH, H, hPrev, p.Slice(_whh, GH * H), bias, hg);
        }

        _cell.Forward(H, xg, hg, hPrev, cPrev, h, c, cache);
    }

    /// <summary>Computes <c>xg = x·W_ihᵀ + b_ih</c> for <paramref name="rows"/> positions, <c>[rows, G·H]</c>.</summary>
    public void InputProjection(ReadOnlySpan<float> p, ReadOnlySpan<float> input, ReadOnlySpan<int> ids, int rows, Span<float> xg)
    {
        int GH = _gates, X = _inputSize;
        ReadOnlySpan<float> wih = p.Slice(_wih, GH * X);
        if (_oneHot)
        {
            // W_ih·onehot(id) is column id of W_ih [G·H, V].
            for (int n = 0; n < rows; n++)
            {
                Span<float> row = xg.Slice(n * GH, GH);
                int id = ids[n];
                for (int j = 0; j < GH; j++)
                {
                    row[j] = wih[(j * X) + id];
                }

                if (_bih >= 0)
                {
                    TensorPrimitives.Add(row, p.Slice(_bih, GH), row);
                }
            }

            return;
        }

        // The bias stands in for xg's old content: no broadcast pass over [rows, G·H] first.
        MultiplyByTransposedWeight(rows, GH, X, input, wih, _bih >= 0 ? p.Slice(_bih, GH) : default, xg);
    }

    /// <summary>
    /// Back-propagates through the window of the last <see cref="Forward"/>. <paramref name="dOutput"/> is dL/dh_t for
    /// t = 0 … T−1 <c>[N, H]</c> (gradients from the layer above or the decoder); the window's final state gets no
    /// gradient (truncated BPTT). Accumulates into the weight gradients in <paramref name="g"/>; overwrites
    /// <paramref name="dInput"/> <c>[N, X]</c> unless it is empty; leaves dL/dh_{−1} (and dL/dc_{−1}) in
    /// <see cref="InitialHiddenGradient"/> (<see cref="InitialCellGradient"/>). After a <see cref="Forward"/> with a
    /// <paramref name="table"/> (pass the same one): dxg is first summed per table row in position order
    /// (D <c>[V, G·H]</c>), then <c>dW_ih += Dᵀ·table</c> and, unless <paramref name="dTable"/> is empty,
    /// <c>dTable += D·W_ih</c> (added to what it holds); <paramref name="input"/> and <paramref name="dInput"/> are not used.
    /// </summary>
    public void Backward(ReadOnlySpan<float> p, Span<float> g, ReadOnlySpan<float> input, ReadOnlySpan<int> ids, ReadOnlySpan<float> dOutput, Span<float> dInput, ReadOnlySpan<float> table = default, Span<float> dTable = default)
    {
        int H = _hiddenSize, GH = _gates, B = _batch, T = _steps, N = T * B, X = _inputSize;
        int cw = _cell.CacheWidth * H;
        bool lstm = _cell.HasCellState;
        Span<float> dxg = _xg.AsSpan(0, N * GH); // the forward preactivations are dead: reuse their buffer
        Span<float> dhgAll = _cell.SeparateRecurrentGradient ? _dhg.AsSpan(0, N * GH) : dxg;
        Span<float> dhNext = _dhNext.AsSpan(0, B * H), dcNext = lstm ? _dcNext.AsSpan(0, B * H) : default;
        if (B > 1 && !_backwardPacked)
        {
            throw new InvalidOperationException("Backward needs a preceding training Forward of this layer.");
        }

        dhNext.Clear(); // nothing flows back from beyond the window's end
        dcNext.Clear();
        if (_parts == 1)
        {
            BackwardLanes(p.Slice(_whh, GH * H), dOutput, 0, B, ComputeSettings.MaxDegreeOfParallelism);
        }
        else
        {
            RunLaneParts(backward: true, dOutput);
        }

        // Weight gradients, one GEMM each over all N positions:
        // dW_hh += dhgᵀ·[h_{−1} … h_{T−2}]  ([G·H, N] × [N, H]);  db_hh += Σ_n dhg[n]
        Gemm.Multiply(true, false, GH, H, N, 1f, dhgAll, GH, _hs.AsSpan(0, N * H), H, 1f, g.Slice(_whh, GH * H), H);
        if (_bhh >= 0 && _bih >= 0 && !_cell.SeparateRecurrentGradient)
        {
            // db_hh and db_ih are sums of the same rows (dhg = dxg): one pass over them.
            Kernels.AddColumnSums(dxg, N, g.Slice(_bhh, GH), g.Slice(_bih, GH));
        }
        else
        {
            if (_bhh >= 0)
            {
                Kernels.AddColumnSums(dhgAll, N, g.Slice(_bhh, GH));
            }

            if (_bih >= 0)
            {
                Kernels.AddColumnSums(dxg, N, g.Slice(_bih, GH));
            }
        }

        Span<float> dwih = g.Slice(_wih, GH * X);
        if (_oneHot)
        {
            // dW_ih[:, id_n] += dxg[n], in position order (deterministic for repeated ids).
            for (int n = 0; n < N; n++)
            {
                ReadOnlySpan<float> row = dxg.Slice(n * GH, GH);
                int id = ids[n];
                for (int j = 0; j < GH; j++)
                {
                    dwih[(j * X) + id] += row[j];
                }
            }
        }
        else if (!table.IsEmpty)
        {
            // D[v] = Σ_{n: id_n = v} dxg[n] (position order); dW_ih += Dᵀ·table ([G·H, V] × [V, X]); dTable += D·W_ih.
            int V = table.Length / X;
            Grow(ref _tableGrad, V * GH);
            Span<float> d = _tableGrad.AsSpan(0, V * GH);
            d.Clear();
            Kernels.ScatterAddRows(dxg, ids[..N], d, GH);
            Gemm.Multiply(true, false, GH, X, V, 1f, d, GH, table, X, 1f, dwih, X);
            if (!dTable.IsEmpty)
            {
                Multiply(V, X, GH, d, p.Slice(_wih, GH * X), 1f, dTable[..(V * X)]);
            }
        }
        else
        {
            // dW_ih += dxgᵀ·x  ([G·H, N] × [N, X])
            Gemm.Multiply(true, false, GH, X, N, 1f, dxg, GH, input[..(N * X)], X, 1f, dwih, X);
            if (!dInput.IsEmpty)
            {
                // dL/dx = dxg·W_ih  ([N, G·H] × [G·H, X])
                Multiply(N, X, GH, dxg, p.Slice(_wih, GH * X), 0f, dInput[..(N * X)]);
            }
        }
    }

    /// <summary>
    /// The cell's backward step for lanes <c>[b0, b1)</c> at step <paramref name="t"/>: dL/dh_t = (from above at t) +
    /// (from step t+1 through the recurrence), then the preactivation gradients (dxg, and dhg for a cell that keeps
    /// them apart), dL/dc_{t−1} and the direct part of dL/dh_{t−1} for those lanes.
    /// </summary>
    private void CellBackward(ReadOnlySpan<float> dOutput, int t, int b0, int b1)
    {
        int H = _hiddenSize, GH = _gates, B = _batch, nb = b1 - b0;
        int cw = _cell.CacheWidth * H;
        bool lstm = _cell.HasCellState;
        int row = (t * B) + b0;
        int prev = row * H, cur = (row + B) * H;
        Span<float> dh = _dh.AsSpan(b0 * H, nb * H), dhNext = _dhNext.AsSpan(b0 * H, nb * H);
        TensorPrimitives.Add(dOutput.Slice(row * H, nb * H), dhNext, dh);
        _cell.Backward(
            H, _cache.AsSpan((t * B * cw) + (b0 * cw), nb * cw), _hs.AsSpan(prev, nb * H), lstm ? _cs.AsSpan(prev, nb * H) : default,
            _hs.AsSpan(cur, nb * H), dh, lstm ? _dcNext.AsSpan(b0 * H, nb * H) : default,
            _xg.AsSpan(row * GH, nb * GH), _cell.SeparateRecurrentGradient ? _dhg.AsSpan(row * GH, nb * GH) : default, dhNext);
    }

    /// <summary>
    /// The backward time loop for lanes <c>[b0, b1)</c> (the same partition as the forward, so each part reads its own
    /// cache blocks); per-step products use up to <paramref name="threads"/> threads. Batch 1 (always one part)
    /// multiplies by the unpacked <paramref name="whh"/> with the mat-vec; larger batches by the packed W_hh.
    /// </summary>
    private void BackwardLanes(ReadOnlySpan<float> whh, ReadOnlySpan<float> dOutput, int b0, int b1, int threads)
    {
        int H = _hiddenSize, GH = _gates, B = _batch, nb = b1 - b0;
        bool separate = _cell.SeparateRecurrentGradient;
        Span<float> dhNext = _dhNext.AsSpan(b0 * H, nb * H);
        for (int t = _steps - 1; t >= 0; t--)
        {
            CellBackward(dOutput, t, b0, b1);

            // dL/dh_{t−1} += dhg_t·W_hh  ([nb, G·H] × [G·H, H])
            int row = (t * B) + b0;
            ReadOnlySpan<float> dPre = separate ? _dhg.AsSpan(row * GH, nb * GH) : _xg.AsSpan(row * GH, nb * GH);
            if (B > 1)
            {
                Gemm.Multiply(threads, transA: false, m: nb, alpha: 1f, dPre, lda: GH, _whhPacked, beta: 1f, dhNext, ldc: H);
            }
            else
            {
                Multiply(1, H, GH, dPre, whh, 1f, dhNext);
            }
        }
    }

    /// <summary>
    /// <c>C[m, n] = A[m, k]·W[n, k]ᵀ + bias</c> (every row; no bias when <paramref name="bias"/> is empty; C's old content
    /// is not used). Several rows run the GEMM, which starts each tile from the bias row; one row runs the mat-vec on
    /// the bias copied into C (the same bits).
    /// </summary>
    internal static void MultiplyByTransposedWeight(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> c)
    {
        float beta = bias.IsEmpty ? 0f : 1f;
        if (m == 1)
        {
            bias.CopyTo(c);
            Gemm.MatVec(false, n, k, w, k, a[..k], beta, c[..n]);
        }
        else
        {
            Gemm.Multiply(false, true, m, n, k, 1f, a, k, w, k, beta, bias, c, n);
        }
    }

    /// <summary><c>C[m, n] = A[m, k]·W[k, n] + beta·C</c>, with the mat-vec path for one row.</summary>
    internal static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> w, float beta, Span<float> c)
    {
        if (m == 1)
        {
            Gemm.MatVec(true, k, n, w, n, a[..k], beta, c[..n]);
        }
        else
        {
            Gemm.Multiply(false, false, m, n, k, 1f, a, k, w, n, beta, c, n);
        }
    }

    private void Ensure(int steps, int batch)
    {
        int H = _hiddenSize, GH = _gates, N = steps * batch;
        Grow(ref _xg, N * GH);
        if (_cell.SeparateRecurrentGradient)
        {
            Grow(ref _dhg, N * GH);
        }

        Grow(ref _cache, N * _cell.CacheWidth * H);
        Grow(ref _hs, (N + batch) * H);
        if (_cell.HasCellState)
        {
            Grow(ref _cs, (N + batch) * H);
            Grow(ref _dcNext, batch * H);
        }

        Grow(ref _hg, batch * GH);
        Grow(ref _dh, batch * H);
        Grow(ref _dhNext, batch * H);
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
