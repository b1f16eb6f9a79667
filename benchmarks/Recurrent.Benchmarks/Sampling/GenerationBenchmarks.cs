using BenchmarkDotNet.Attributes;
using Recurrent.Models;
using Recurrent.Sampling;

namespace Recurrent.Benchmarks.Sampling;

/// <summary>
/// Generation throughput for the benchmark configurations (LSTM, E = H): batch 1 (one sequence, one token per model
/// step) and batched (32 independent samples per step), plus the bare model step at batch 1 as the floor. Every
/// benchmark reports the time per generated token (OperationsPerInvoke), so tokens/s = 10⁹ / Mean[ns].
/// Sampling is plain softmax sampling at temperature 1, as in the PyTorch anchor loop.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class GenerationBenchmarks
{
    private const int Batch1Tokens = 64;
    private const int BatchLanes = 32;
    private const int BatchedTokensPerLane = 16;

    private IRecurrentModel _model = null!;
    private TokenGenerator _single = null!;
    private TokenGenerator _batched = null!;
    private RecurrentState _state = null!;
    private float[] _logits = [];
    private ulong _seed;

    /// <summary>Gets or sets the configuration: char-s (V 65, H 128, L 2), word-ptb-small (V 10,000, H 200, L 2), word-m (V 10,000, H 650, L 2).</summary>
    [Params("char-s", "word-ptb-small", "word-m")]
    public string Config { get; set; } = "char-s";

    /// <summary>Creates the model (seeded random weights: throughput does not depend on them) and the generators.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (int v, int h) = Config switch
        {
            "char-s" => (65, 128),
            "word-ptb-small" => (10_000, 200),
            "word-m" => (10_000, 650),
            _ => throw new ArgumentException("Unknown configuration.", nameof(Config)),
        };
        _model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = v, EmbeddingSize = h, HiddenSize = h, Layers = 2, Cell = CellKind.Lstm, Seed = 1 });
        _single = new TokenGenerator(_model, new SamplingOptions { MaxLength = Batch1Tokens, BatchSize = 1 });
        _batched = new TokenGenerator(_model, new SamplingOptions { MaxLength = BatchedTokensPerLane, BatchSize = BatchLanes });
        _state = _model.CreateState(1);
        _logits = new float[v];
    }

    /// <summary>The model step alone at batch 1 (embedding row, L LSTM mat-vecs, output mat-vec), feeding back a fixed id.</summary>
    /// <returns>A logit, so the work is not dead.</returns>
    [Benchmark(OperationsPerInvoke = Batch1Tokens)]
    public float StepOnlyBatch1()
    {
        int[] token = [1];
        for (int i = 0; i < Batch1Tokens; i++)
        {
            _model.Step(token, _state, _logits);
        }

        return _logits[0];
    }

    /// <summary>One sequence of 64 tokens: model step + sampling policy per token.</summary>
    /// <returns>The number of tokens generated.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch1Tokens)]
    public int GenerateBatch1() => _single.Generate([1], _seed++, 1)[0].TokenIds.Length;

    /// <summary>32 samples of 16 tokens side by side through the batched step.</summary>
    /// <returns>The number of tokens generated.</returns>
    [Benchmark(OperationsPerInvoke = BatchLanes * BatchedTokensPerLane)]
    public int GenerateBatched32() => _batched.Generate([1], _seed++, BatchLanes).Sum(s => s.TokenIds.Length);
}
