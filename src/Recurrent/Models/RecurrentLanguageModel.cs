using System.Diagnostics;
using System.Numerics.Tensors;
using Recurrent.Models.Cells;
using Recurrent.Numerics;

namespace Recurrent.Models;

/// <summary>
/// The language model behind <see cref="VanillaRnn"/>, <see cref="Lstm"/> and <see cref="Gru"/>:
/// <c>Embedding [V, E] → dropout → L × (recurrent layer → dropout) → Linear [V, H] → softmax cross-entropy</c>.
/// </summary>
/// <remarks>
/// <para>Legend: T steps, B lanes, N = T·B positions (time-major: row <c>t·B + b</c>), V vocabulary, E embedding size,
/// H hidden size, L layers, G gate blocks.</para>
/// <para>Dropout (inverted: kept values scaled by 1/(1 − p)) sits where PyTorch's word_language_model puts it: on the
/// embedding output, between layers, and on the last layer's output; training forward passes only. With
/// EmbeddingSize 0 there is no embedding output to drop (the input is one-hot).</para>
/// <para>All window buffers grow to the largest window seen and are reused, so steady-state training allocates
/// nothing. <see cref="Step(ReadOnlySpan{int}, RecurrentState, Span{float})"/> uses scratch owned by the <see cref="RecurrentState"/> and touches no instance buffer, so concurrent
/// samplers with distinct states are safe.</para>
/// </remarks>
internal sealed class RecurrentLanguageModel : IRecurrentModel
{
    private readonly IRecurrentCell _cell;
    private readonly ParameterLayout _layout;
    private readonly RecurrentLayer[] _layers;
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private readonly int _vocabulary, _embedding, _hidden;

    // Window buffers (grown, never shrunk).
    private int[] _ids = [];             // [N] the inputs of the last training forward
    private float[] _embedded = [];      // [N, E] embedding rows (after dropout)
    private float[] _embeddedMask = [];  // [N, E] dropout multipliers (0 or 1/(1 − p))
    private readonly float[][] _dropped;          // per layer l: [N, H] output of layer l after dropout (input of l+1 / the decoder)
    private readonly float[][] _masks;            // per layer l: [N, H] its dropout multipliers
    private float[] _logits = [];        // [N, V]; after a training forward it holds dL/dlogits instead
    private float[] _gradA = [], _gradB = []; // [N, max(E, H)] gradients flowing down the stack
    private float[] _initialHiddenGradient = [], _initialCellGradient = []; // [L, B, H]
    private int _steps, _batch;
    private bool _dropoutActive;
    private bool _tableInput; // the last Forward fed layer 0 from the embedding table by id (see EmbeddingTableMinPositionsPerId)
    private bool _backwardReady;

    public RecurrentLanguageModel(RecurrentModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _cell = options.Cell switch
        {
            CellKind.Rnn => RnnCell.Instance,
            CellKind.Lstm => LstmCell.Instance,
            _ => GruCell.Instance,
        };
        (_vocabulary, _embedding, _hidden) = (options.VocabularySize, options.EmbeddingSize, options.HiddenSize);
        _layout = new ParameterLayout(options, _cell.GateCount);
        _parameters = new float[_layout.Count];
        _gradients = new float[_layout.Count];
        _layers = new RecurrentLayer[options.Layers];
        for (int l = 0; l < _layers.Length; l++)
        {
            bool oneHot = l == 0 && _embedding == 0;
            int x = l > 0 ? _hidden : oneHot ? _vocabulary : _embedding;
            _layers[l] = new RecurrentLayer(_cell, x, _hidden, oneHot, _layout.WeightIh[l], _layout.WeightHh[l], _layout.BiasIh[l], _layout.BiasHh[l]);
        }

        _dropped = new float[_layers.Length][];
        _masks = new float[_layers.Length][];
        for (int l = 0; l < _layers.Length; l++)
        {
            _dropped[l] = [];
            _masks[l] = [];
        }

        Initialize();
    }

    /// <inheritdoc />
    public RecurrentModelOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterTensor> Tensors => _layout.Tensors;

    /// <inheritdoc />
    public int ParameterCount => _parameters.Length;

    /// <inheritdoc />
    public Span<float> Parameters => _parameters;

    /// <inheritdoc />
    public Span<float> Gradients => _gradients;

    /// <summary>Gets or sets the per-phase timer that <see cref="Forward"/> and <see cref="Backward"/> add to (null: no timing).</summary>
    internal ModelPhaseTimes? PhaseTimes { get; set; }

    /// <summary>Gets the cell the layers run.</summary>
    internal IRecurrentCell Cell => _cell;

    /// <summary>Gets the layout of the flat buffers.</summary>
    internal ParameterLayout Layout => _layout;

    /// <summary>
    /// Gets dL/dh_{−1} of the last <see cref="Backward"/>: the gradient of the summed loss with respect to the initial
    /// hidden state, <c>[L, B, H]</c> (what would flow into the previous window without truncation).
    /// </summary>
    internal ReadOnlySpan<float> InitialHiddenGradient => _initialHiddenGradient.AsSpan(0, _layers.Length * _batch * _hidden);

    /// <summary>Gets dL/dc_{−1} of the last <see cref="Backward"/>, <c>[L, B, H]</c> (LSTM; empty otherwise).</summary>
    internal ReadOnlySpan<float> InitialCellGradient => _cell.HasCellState ? _initialCellGradient.AsSpan(0, _layers.Length * _batch * _hidden) : default;

    /// <inheritdoc />
    public RecurrentState CreateState(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new RecurrentState(_layers.Length, batchSize, _hidden, _cell.HasCellState);
    }

    /// <inheritdoc />
    public LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckState(state);
        int B = state.BatchSize;
        if (inputs.IsEmpty || inputs.Length % B != 0)
        {
            throw new ArgumentException($"The input length ({inputs.Length}) must be a positive multiple of the state's batch size ({B}).", nameof(inputs));
        }

        if (targets.Length != inputs.Length)
        {
            throw new ArgumentException($"The target length ({targets.Length}) differs from the input length ({inputs.Length}).", nameof(targets));
        }

        if (!mask.IsEmpty && mask.Length != inputs.Length)
        {
            throw new ArgumentException($"The mask length ({mask.Length}) differs from the input length ({inputs.Length}).", nameof(mask));
        }

        CheckIds(inputs, nameof(inputs));
        CheckIds(targets, nameof(targets));
        bool train = mode == ForwardMode.Train;
        bool dropout = train && Options.Dropout > 0f;
        if (dropout)
        {
            ArgumentNullException.ThrowIfNull(random);
        }

        int T = inputs.Length / B, N = inputs.Length, E = _embedding, H = _hidden, V = _vocabulary;
        _backwardReady = false;
        Ensure(N, B, dropout);
        _steps = T;
        _batch = B;
        _dropoutActive = dropout;
        ReadOnlySpan<float> p = _parameters;
        inputs.CopyTo(_ids);

        ModelPhaseTimes? times = PhaseTimes;
        long t0 = times is null ? 0 : Stopwatch.GetTimestamp();

        // Embedding lookup (and dropout on its output). Without dropout, a window with several positions per vocabulary
        // id (character level) lets layer 0 project each embedding row once and gather by id instead (see
        // RecurrentLayer.Forward's table): no [N, E] lookup, and V instead of N rows in the input-side products.
        ReadOnlySpan<float> x = default;
        _tableInput = E > 0 && !dropout && (long)V * EmbeddingTableMinPositionsPerId <= N;
        if (E > 0 && !_tableInput)
        {
            Span<float> emb = _embedded.AsSpan(0, N * E);
            Kernels.GatherRows(p.Slice(_layout.Encoder, V * E), E, inputs, emb);
            if (dropout)
            {
                Dropout(emb, _embeddedMask.AsSpan(0, N * E), Options.Dropout, random!);
            }

            x = emb;
        }

        t0 = Lap(times, t0, Phase.Embedding);

        // The stack: each layer runs the whole window, then hands its (dropped-out) outputs up.
        for (int l = 0; l < _layers.Length; l++)
        {
            RecurrentLayer layer = _layers[l];
            ReadOnlySpan<float> table = l == 0 && _tableInput ? p.Slice(_layout.Encoder, V * E) : default;
            layer.Forward(p, x, inputs, T, B, state.Hidden(l), _cell.HasCellState ? state.Cell(l) : default, train, table);
            layer.FinalHidden.CopyTo(state.Hidden(l));
            if (_cell.HasCellState)
            {
                layer.FinalCell.CopyTo(state.Cell(l));
            }

            x = layer.Output;
            if (dropout)
            {
                Span<float> d = _dropped[l].AsSpan(0, N * H);
                x.CopyTo(d);
                Dropout(d, _masks[l].AsSpan(0, N * H), Options.Dropout, random!);
                x = d;
            }
        }

        // Decoder: logits = x·W_decᵀ + b_dec  ([N, H] × [H, V]); then log-softmax + NLL (and, training, its gradient in place).
        t0 = Lap(times, t0, Phase.RecurrentForward);
        // The bias is added inside the loss (one write of the logits instead of a broadcast, a read and a write).
        Span<float> logits = _logits.AsSpan(0, N * V);
        RecurrentLayer.MultiplyByTransposedWeight(N, V, H, x, p.Slice(_layout.DecoderWeight, V * H), default, logits);
        t0 = Lap(times, t0, Phase.DecoderForward);
        ReadOnlySpan<float> bias = _layout.DecoderBias >= 0 ? p.Slice(_layout.DecoderBias, V) : default;
        double loss = Kernels.SoftmaxCrossEntropy(logits, bias, V, targets, mask, train ? logits : default, 1f);
        Lap(times, t0, Phase.Loss);
        double count = mask.IsEmpty ? N : TensorPrimitives.Sum(mask);
        _backwardReady = train;
        return new LossSum(loss, count);
    }

    /// <inheritdoc />
    public void Backward()
    {
        if (!_backwardReady)
        {
            throw new InvalidOperationException("Backward needs a preceding Forward in ForwardMode.Train (and only one Backward per Forward).");
        }

        _backwardReady = false;
        int T = _steps, B = _batch, N = T * B, E = _embedding, H = _hidden, V = _vocabulary, L = _layers.Length;
        ReadOnlySpan<float> p = _parameters;
        Span<float> g = _gradients;
        ReadOnlySpan<float> dlogits = _logits.AsSpan(0, N * V);
        ReadOnlySpan<int> ids = _ids.AsSpan(0, N);
        ModelPhaseTimes? times = PhaseTimes;
        long t0 = times is null ? 0 : Stopwatch.GetTimestamp();

        // Decoder: dW_dec += dlogitsᵀ·x ([V, N] × [N, H]); db_dec += Σ_n dlogits[n]; dx = dlogits·W_dec ([N, V] × [V, H]).
        ReadOnlySpan<float> top = LayerOutput(L - 1);
        Gemm.Multiply(true, false, V, H, N, 1f, dlogits, V, top, H, 1f, g.Slice(_layout.DecoderWeight, V * H), H);
        if (_layout.DecoderBias >= 0)
        {
            Kernels.AddColumnSums(dlogits, N, g.Slice(_layout.DecoderBias, V));
        }

        float[] outBuffer = _gradA, inBuffer = _gradB; // ping-pong: dL/d(output of layer l) and dL/d(its input)
        Span<float> dOut = outBuffer.AsSpan(0, N * H);
        RecurrentLayer.Multiply(N, H, V, dlogits, p.Slice(_layout.DecoderWeight, V * H), 0f, dOut);
        t0 = Lap(times, t0, Phase.DecoderBackward);

        for (int l = L - 1; l >= 0; l--)
        {
            if (_dropoutActive)
            {
                TensorPrimitives.Multiply(dOut, _masks[l].AsSpan(0, N * H), dOut); // through the dropout after layer l
            }

            RecurrentLayer layer = _layers[l];
            if (l == 0 && _tableInput)
            {
                // Layer 0 read the embedding table by id: it adds the table's gradient to dEncoder itself.
                layer.Backward(p, g, default, ids, dOut, default, p.Slice(_layout.Encoder, V * E), g.Slice(_layout.Encoder, V * E));
            }
            else
            {
                bool wantInput = l > 0 || E > 0;
                int x = l > 0 ? H : E;
                ReadOnlySpan<float> input = l > 0 ? LayerOutput(l - 1) : E > 0 ? _embedded.AsSpan(0, N * E) : default;
                Span<float> dInput = wantInput ? inBuffer.AsSpan(0, N * x) : default;
                layer.Backward(p, g, input, ids, dOut, dInput);
                dOut = dInput;
            }

            layer.InitialHiddenGradient.CopyTo(_initialHiddenGradient.AsSpan(l * B * H, B * H));
            if (_cell.HasCellState)
            {
                layer.InitialCellGradient.CopyTo(_initialCellGradient.AsSpan(l * B * H, B * H));
            }

            (outBuffer, inBuffer) = (inBuffer, outBuffer);
        }

        t0 = Lap(times, t0, Phase.RecurrentBackward);
        if (E > 0 && !_tableInput)
        {
            if (_dropoutActive)
            {
                TensorPrimitives.Multiply(dOut, _embeddedMask.AsSpan(0, N * E), dOut);
            }

            // dEncoder[id_n] += dx[n], in position order.
            Kernels.ScatterAddRows(dOut, ids, g.Slice(_layout.Encoder, V * E), E);
        }

        Lap(times, t0, Phase.Embedding);
    }

    /// <summary>
    /// Gets or sets, for models run from the current thread, how many window positions per vocabulary id (N ≥ this·V)
    /// make layer 0 read the embedding table by id (<see cref="RecurrentLayer.Forward"/>'s table) instead of a looked-up
    /// <c>[N, E]</c> input; 2 unless set. Tests set it to <see cref="int.MaxValue"/> to compare with the looked-up path
    /// (the gradients agree to rounding: the sums are grouped by id first).
    /// </summary>
    internal static int EmbeddingTableMinPositionsPerId
    {
        get => t_embeddingTableMinPositionsPerId ?? 2;
        set => t_embeddingTableMinPositionsPerId = value;
    }

    [ThreadStatic]
    private static int? t_embeddingTableMinPositionsPerId;

    /// <inheritdoc />
    public void ZeroGradients() => Array.Clear(_gradients);

    /// <inheritdoc />
    public void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits) => Step(tokenIds, state, logits, null);

    /// <summary>
    /// A memo for the first layer's input projection at batch 1 (see <see cref="InputProjectionMemo"/>), or null when it
    /// would not pay: only with an embedding no smaller than the vocabulary (character level), where the table
    /// <c>[V, G·H]</c> is no larger than W_ih.
    /// </summary>
    internal InputProjectionMemo? CreateInputProjectionMemo() =>
        _embedding > 0 && _vocabulary <= _embedding ? new InputProjectionMemo(_vocabulary, _cell.GateCount * _hidden) : null;

    /// <summary>
    /// <see cref="Step(ReadOnlySpan{int}, RecurrentState, Span{float})"/>; at batch 1 with a <paramref name="memo"/>
    /// the first layer's input projection of an id already seen comes from the memo (the same floats).
    /// </summary>
    internal void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits, InputProjectionMemo? memo)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckState(state);
        int B = state.BatchSize, E = _embedding, H = _hidden, V = _vocabulary, GH = _cell.GateCount * H;
        if (tokenIds.Length != B)
        {
            throw new ArgumentException($"Expected one token id per lane ({B}), got {tokenIds.Length}.", nameof(tokenIds));
        }

        if (logits.Length < B * V)
        {
            throw new ArgumentException($"The logits destination needs at least B·V = {B * V} elements.", nameof(logits));
        }

        CheckIds(tokenIds, nameof(tokenIds));
        ReadOnlySpan<float> p = _parameters;
        int cw = _cell.CacheWidth * H;
        int size = (B * E) + (2 * B * GH) + (B * cw) + (2 * B * H);
        Span<float> scratch = state.StepScratch(size); // owned by the state: no per-token rent or allocation
        Span<float> emb = scratch[..(B * E)];
        Span<float> xg = scratch.Slice(B * E, B * GH);
        Span<float> hg = scratch.Slice((B * E) + (B * GH), B * GH);
        Span<float> cache = scratch.Slice((B * E) + (2 * B * GH), B * cw);
        Span<float> h = scratch.Slice((B * E) + (2 * B * GH) + (B * cw), B * H);
        Span<float> c = scratch.Slice((B * E) + (2 * B * GH) + (B * cw) + (B * H), B * H);
        ReadOnlySpan<float> x = default;
        if (E > 0)
        {
            Kernels.GatherRows(p.Slice(_layout.Encoder, V * E), E, tokenIds, emb);
            x = emb;
        }

        for (int l = 0; l < _layers.Length; l++)
        {
            RecurrentLayer layer = _layers[l];
            if (l == 0 && B == 1 && memo is not null && memo.Width == GH)
            {
                if (!memo.TryCopyTo(tokenIds[0], xg))
                {
                    layer.InputProjection(p, x, tokenIds, B, xg);
                    memo.Store(tokenIds[0], xg);
                }
            }
            else
            {
                layer.InputProjection(p, x, tokenIds, B, xg);
            }

            ReadOnlySpan<float> cPrev = _cell.HasCellState ? state.Cell(l) : default;
            layer.StepForward(p, B, xg, hg, state.Hidden(l), cPrev, h, _cell.HasCellState ? c : default, cache);
            h.CopyTo(state.Hidden(l));
            if (_cell.HasCellState)
            {
                c.CopyTo(state.Cell(l));
            }

            x = state.Hidden(l);
        }

        // One row: the decoder (and each layer's W_hh) runs the mat-vec on the unpacked weight.
        Decode(p, x, B, logits[..(B * V)]);
    }

    // Adds the time since t0 to one phase counter and returns the new timestamp (no-op without a timer).
    private static long Lap(ModelPhaseTimes? times, long t0, Phase phase)
    {
        if (times is null)
        {
            return 0;
        }

        long now = Stopwatch.GetTimestamp();
        long elapsed = now - t0;
        switch (phase)
        {
            case Phase.Embedding: times.Embedding += elapsed; break;
            case Phase.RecurrentForward: times.RecurrentForward += elapsed; break;
            case Phase.DecoderForward: times.DecoderForward += elapsed; break;
            case Phase.Loss: times.Loss += elapsed; break;
            case Phase.DecoderBackward: times.DecoderBackward += elapsed; break;
            default: times.RecurrentBackward += elapsed; break;
        }

        return now;
    }

    private void Decode(ReadOnlySpan<float> p, ReadOnlySpan<float> x, int rows, Span<float> logits)
    {
        int V = _vocabulary, H = _hidden;
        ReadOnlySpan<float> bias = _layout.DecoderBias >= 0 ? p.Slice(_layout.DecoderBias, V) : default;
        RecurrentLayer.MultiplyByTransposedWeight(rows, V, H, x, p.Slice(_layout.DecoderWeight, V * H), bias, logits);
    }

    // The input the layer above (or the decoder) saw from layer l: its output, after dropout when active.
    private ReadOnlySpan<float> LayerOutput(int l) =>
        _dropoutActive ? _dropped[l].AsSpan(0, _steps * _batch * _hidden) : _layers[l].Output;

    private static void Dropout(Span<float> values, Span<float> mask, float probability, Random random)
    {
        // Inverted dropout: keep with probability 1 − p and scale by 1/(1 − p), so evaluation needs no rescaling.
        float keep = 1f / (1f - probability);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextSingle() < probability ? 0f : keep;
        }

        TensorPrimitives.Multiply(values, mask, values);
    }

    private void Ensure(int rows, int batch, bool dropout)
    {
        int E = _embedding, H = _hidden, L = _layers.Length;
        Grow(ref _ids, rows);
        Grow(ref _embedded, rows * E);
        Grow(ref _logits, rows * _vocabulary);
        Grow(ref _gradA, rows * Math.Max(E, H));
        Grow(ref _gradB, rows * Math.Max(E, H));
        Grow(ref _initialHiddenGradient, L * batch * H);
        if (_cell.HasCellState)
        {
            Grow(ref _initialCellGradient, L * batch * H);
        }

        if (dropout)
        {
            Grow(ref _embeddedMask, rows * E);
            for (int l = 0; l < L; l++)
            {
                Grow(ref _dropped[l], rows * H);
                Grow(ref _masks[l], rows * H);
            }
        }
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }

    private void CheckState(RecurrentState state)
    {
        if (state.Layers != _layers.Length || state.HiddenSize != _hidden || state.HasCellState != _cell.HasCellState)
        {
            throw new ArgumentException(
                $"The state (layers {state.Layers}, hidden {state.HiddenSize}, cell state {state.HasCellState}) does not match the model " +
                $"(layers {_layers.Length}, hidden {_hidden}, cell state {_cell.HasCellState}); create it with CreateState.", nameof(state));
        }
    }

    private void CheckIds(ReadOnlySpan<int> ids, string name)
    {
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_vocabulary)
            {
                throw new ArgumentOutOfRangeException(name, id, $"Token ids must be in [0, {_vocabulary}).");
            }
        }
    }

    private void Initialize()
    {
        // One generator, tensors filled in buffer order, so the seed fixes every value.
        var random = new DeterministicRandom(Options.Seed);
        float k = Options.InitRange;
        float recurrent = k > 0f ? k : 1f / MathF.Sqrt(_hidden);
        Span<float> p = _parameters;
        foreach (ParameterTensor tensor in _layout.Tensors)
        {
            if (tensor.Name == "decoder.weight" && Options.TieWeights)
            {
                continue; // shares the encoder's storage
            }

            Span<float> view = p.Slice(tensor.Offset, tensor.Length);
            if (tensor.Name == "encoder.weight" && k == 0f)
            {
                // nn.Embedding's default: N(0, 1) (Box–Muller).
                for (int i = 0; i < view.Length; i++)
                {
                    double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                    view[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
                }
            }
            else
            {
                // U(−k, k); PyTorch's default for nn.RNN/LSTM/GRU and nn.Linear(H, V) is k = 1/√H.
                for (int i = 0; i < view.Length; i++)
                {
                    view[i] = recurrent * ((2f * random.NextSingle()) - 1f);
                }
            }
        }

        if (_cell is LstmCell && Options.UseBias && Options.ForgetGateBias != 0f)
        {
            // Forget gate block (the second of i, f, g, o): b_ih_f = ForgetGateBias, b_hh_f = 0, so the sum is the value.
            int H = _hidden;
            for (int l = 0; l < _layers.Length; l++)
            {
                p.Slice(_layout.BiasIh[l] + H, H).Fill(Options.ForgetGateBias);
                p.Slice(_layout.BiasHh[l] + H, H).Clear();
            }
        }
    }

    private enum Phase
    {
        Embedding,
        RecurrentForward,
        DecoderForward,
        Loss,
        DecoderBackward,
        RecurrentBackward,
    }
}
