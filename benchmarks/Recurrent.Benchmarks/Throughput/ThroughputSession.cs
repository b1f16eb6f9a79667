using System.Diagnostics;
using Recurrent.Models;
using Recurrent.Sampling;
using Recurrent.Training.Optimizers;

namespace Recurrent.Benchmarks.Throughput;

/// <summary>
/// The model, optimizer, data and carried states of one run, and the three measured operations, written the way a
/// user drives the library (the same as the reference script's <c>train_step</c>, <c>eval_step</c> and
/// <c>sample_chunk</c>). Shared by the throughput harness and the BenchmarkDotNet training-step benchmarks.
/// </summary>
public sealed class ThroughputSession
{
    /// <summary>The reference cycles over this many random windows.</summary>
    public const int WindowBatches = 16;

    private readonly int[] _stream;    // [(16·T + 1), B] time-major random ids
    private readonly Optimizer _optimizer;
    private readonly OptimizerState _optimizerState;
    private readonly float _learningRate;
    private readonly RecurrentState _trainState, _evalState, _sampleState;
    private readonly TokenSelector _selector;
    private readonly DeterministicRandom _sampleRandom = new(7);
    private readonly float[] _logits;
    private readonly RecurrentLanguageModel? _core;
    private InputProjectionMemo? _sampleMemo;
    private int _sampleMemoTokens;
    private readonly int[] _token = [0];
    private readonly int _n, _b;
    private int _trainWindow, _evalWindow;
    private bool _gradientsZeroed;

    /// <summary>Creates the model (seed 1234) and 16 windows of random ids (seed 42) for a run.</summary>
    /// <param name="run">The run.</param>
    public ThroughputSession(ThroughputRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Run = run;
        ThroughputConfig cfg = run.Config;
        int V = cfg.Vocabulary, H = cfg.Hidden;
        _b = cfg.Batch;
        _n = cfg.Steps * cfg.Batch;
        Model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = V,
            EmbeddingSize = H,
            HiddenSize = H,
            Layers = cfg.Layers,
            Cell = run.Cell,
            Seed = 1234,
        });
        _optimizer = run.Optimizer == "adam" ? new Adam() : new Sgd();
        _learningRate = run.Optimizer == "adam" ? 1e-3f : 0.005f;
        _optimizerState = _optimizer.CreateState(Model.ParameterCount);
        var random = new DeterministicRandom(42);
        _stream = new int[((WindowBatches * cfg.Steps) + 1) * _b];
        for (int i = 0; i < _stream.Length; i++)
        {
            _stream[i] = random.Next(V);
        }

        _trainState = Model.CreateState(_b);
        _evalState = Model.CreateState(_b);
        _sampleState = Model.CreateState(1);
        _selector = new TokenSelector(V, new SamplingOptions { Temperature = 1f });
        _logits = new float[V];
        _core = RecurrentModel.GetCore(Model);
    }

    /// <summary>Gets the run.</summary>
    public ThroughputRun Run { get; }

    /// <summary>Gets the model.</summary>
    public IRecurrentModel Model { get; }

    /// <summary>Gets the mean loss of the last training step.</summary>
    public double LastLoss { get; private set; }

    /// <summary>Gets or sets accumulated <see cref="Stopwatch"/> ticks of the clipping part of <see cref="TrainStep"/>.</summary>
    public long ClipTicks { get; set; }

    /// <summary>Gets or sets accumulated ticks of the optimizer part of <see cref="TrainStep"/>.</summary>
    public long OptimizerTicks { get; set; }

    /// <summary>Gets or sets accumulated ticks of whole <see cref="TrainStep"/> calls.</summary>
    public long StepTicks { get; set; }

    /// <summary>
    /// One training step on the next window: forward (state carried from the previous window), backward (stopping at
    /// the window's start), mean cross-entropy over B·T, <c>clip_grad_norm_(5.0)</c>, one optimizer step. The optimizer
    /// applies the mean's 1/N and the clipping coefficient as it reads the gradient and zeroes it in the same pass
    /// (the reference's <c>zero_grad</c>), so only the first step zeroes the buffer separately.
    /// </summary>
    public void TrainStep()
    {
        long t0 = Stopwatch.GetTimestamp();
        ReadOnlySpan<int> x = _stream.AsSpan(_trainWindow * _n, _n);
        ReadOnlySpan<int> y = _stream.AsSpan((_trainWindow * _n) + _b, _n);
        _trainWindow = (_trainWindow + 1) % WindowBatches;

        IRecurrentModel model = Model;
        if (!_gradientsZeroed)
        {
            model.ZeroGradients();
        }

        LossSum loss = model.Forward(x, y, default, _trainState, ForwardMode.Train);
        model.Backward();
        long t1 = Stopwatch.GetTimestamp();

        // The model returns the summed loss; the mean over B·T scales the gradient by 1/N. Clip its global norm at 5
        // (torch.nn.utils.clip_grad_norm_: scale by 5/(norm + 1e-6) when the norm exceeds 5). The optimizer multiplies
        // each gradient by the resulting factor as it reads it, and zeroes it.
        Span<float> g = model.Gradients;
        double scale = 1.0 / loss.Count;
        double norm = Math.Sqrt(Recurrent.Numerics.Kernels.SumOfSquares(g)) * scale; // as the Trainer computes it
        double factor = norm > 5.0 ? scale * 5.0 / (norm + 1e-6) : scale;
        long t2 = Stopwatch.GetTimestamp();
        _optimizer.Step(_optimizerState, model.Parameters, g, _learningRate, (float)factor, clearGradients: true);
        _gradientsZeroed = true;
        long t3 = Stopwatch.GetTimestamp();
        ClipTicks += t2 - t1;
        OptimizerTicks += t3 - t2;
        StepTicks += t3 - t0;
        LastLoss = loss.Mean;
    }

    /// <summary>One evaluation forward pass (no caching for backward) on the next window, the state carried.</summary>
    /// <returns>The summed loss.</returns>
    public double EvalStep()
    {
        ReadOnlySpan<int> x = _stream.AsSpan(_evalWindow * _n, _n);
        ReadOnlySpan<int> y = _stream.AsSpan((_evalWindow * _n) + _b, _n);
        _evalWindow = (_evalWindow + 1) % WindowBatches;
        return Model.Forward(x, y, default, _evalState, ForwardMode.Evaluate).Sum;
    }

    /// <summary>Samples <paramref name="count"/> tokens at batch 1: one model step (as a Sampler call takes it, see SampleStep), softmax at temperature 1 and one draw per token.</summary>
    /// <param name="count">The number of tokens.</param>
    /// <returns>The last token.</returns>
    public int SampleChunk(int count)
    {
        for (int i = 0; i < count; i++)
        {
            SampleStep();
            _token[0] = _selector.Select(_logits, default, false, _sampleRandom);
        }

        return _token[0];
    }

    /// <summary>Tokens per generation call that the sampling windows stand for (the write-up's <c>generate(600, …)</c>).</summary>
    public const int TokensPerGenerationCall = 600;

    // One batch-1 step the way a Sampler call takes it: a character-level model reuses the first layer's input projection
    // of ids seen earlier in the same call (InputProjectionMemo), and every TokensPerGenerationCall tokens a new call
    // starts with an empty memo. Word-level models get no memo (the plain Step).
    private void SampleStep()
    {
        if (_core is null)
        {
            Model.Step(_token, _sampleState, _logits);
            return;
        }

        if (_sampleMemoTokens++ % TokensPerGenerationCall == 0)
        {
            _sampleMemo = _core.CreateInputProjectionMemo();
        }

        _core.Step(_token, _sampleState, _logits, _sampleMemo);
    }

    /// <summary>Gets or sets accumulated ticks of the model steps of <see cref="SampleChunkProfiled"/>.</summary>
    public long SampleStepTicks { get; set; }

    /// <summary>Gets or sets accumulated ticks of the token selections of <see cref="SampleChunkProfiled"/>.</summary>
    public long SampleSelectTicks { get; set; }

    /// <summary><see cref="SampleChunk"/> with the model step and the selection of each token timed apart.</summary>
    /// <param name="count">The number of tokens.</param>
    /// <returns>The last token.</returns>
    public int SampleChunkProfiled(int count)
    {
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            SampleStep();
            long t1 = Stopwatch.GetTimestamp();
            _token[0] = _selector.Select(_logits, default, false, _sampleRandom);
            long t2 = Stopwatch.GetTimestamp();
            SampleStepTicks += t1 - t0;
            SampleSelectTicks += t2 - t1;
        }

        return _token[0];
    }
}
