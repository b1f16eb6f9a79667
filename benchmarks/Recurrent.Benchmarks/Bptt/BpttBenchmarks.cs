using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Recurrent.Models;

namespace Recurrent.Benchmarks.Bptt;

/// <summary>
/// The BPTT hot loop: one training window (forward with loss and dL/dlogits, then backward into the flat gradient
/// buffer) of T = 35 steps at V = 10,000 (word level, E = H), for the vanilla RNN and the LSTM.
/// Expected allocation: 0 B per operation once the window buffers exist (they are sized in the global setup).
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Recurrent.Benchmarks -- --filter *BpttBenchmarks*</c>.
/// The job is deliberately short (a window at H = 512, B = 32 is tens of GFLOP) and runs in process (no per-benchmark build).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ShortConfig))]
public class BpttBenchmarks
{
    private const int Steps = 35;
    private const int Vocabulary = 10_000;

    private IRecurrentModel _model = null!;
    private RecurrentState _state = null!;
    private int[] _inputs = [];
    private int[] _targets = [];

    /// <summary>Gets or sets the cell kind.</summary>
    [Params(CellKind.Rnn, CellKind.Lstm)]
    public CellKind Cell { get; set; }

    /// <summary>Gets or sets the hidden size H (= embedding size E).</summary>
    [Params(128, 256, 512)]
    public int Hidden { get; set; }

    /// <summary>Gets or sets the number of lanes B.</summary>
    [Params(1, 32)]
    public int Batch { get; set; }

    /// <summary>Builds the model, a seeded window, and runs one warm-up step so every buffer exists.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = Vocabulary, EmbeddingSize = Hidden, HiddenSize = Hidden, Cell = Cell, Seed = 1,
        });
        var random = new DeterministicRandom(42);
        _inputs = [.. Enumerable.Range(0, Steps * Batch).Select(_ => random.Next(Vocabulary))];
        _targets = [.. Enumerable.Range(0, Steps * Batch).Select(_ => random.Next(Vocabulary))];
        _state = _model.CreateState(Batch);
        ForwardBackward();
    }

    /// <summary>One window: forward (training mode) + backward.</summary>
    /// <returns>The summed loss.</returns>
    [Benchmark]
    public double ForwardBackward()
    {
        _model.ZeroGradients();
        double loss = _model.Forward(_inputs, _targets, default, _state, ForwardMode.Train).Sum;
        _model.Backward();
        return loss;
    }

    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig() => AddJob(Job.ShortRun.WithWarmupCount(1).WithIterationCount(3).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
