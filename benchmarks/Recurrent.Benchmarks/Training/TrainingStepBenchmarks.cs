using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Recurrent.Benchmarks.Throughput;

namespace Recurrent.Benchmarks.Training;

/// <summary>
/// One training step (forward, backward, gradient clipping, optimizer) of every throughput run: the BPTT hot loop
/// as the throughput harness drives it. Expected: 0 B allocated per step in steady state.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortConfig))]
public class TrainingStepBenchmarks
{
    private ThroughputSession _session = null!;

    /// <summary>Gets the training runs (config:cell:optimizer).</summary>
    public static IEnumerable<string> Runs => ThroughputRun.All.Where(r => r.Train).Select(r => r.Key);

    /// <summary>Gets or sets the run key.</summary>
    [ParamsSource(nameof(Runs))]
    public string Run { get; set; } = "char-s:lstm:adam";

    /// <summary>Creates the model, optimizer and data, and runs a few steps so every buffer exists.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _session = new ThroughputSession(ThroughputRun.All.First(r => r.Key == Run));
        for (int i = 0; i < 3; i++)
        {
            _session.TrainStep();
        }
    }

    /// <summary>One training step on the next window.</summary>
    /// <returns>The mean loss of the step.</returns>
    [Benchmark]
    public double TrainStep()
    {
        _session.TrainStep();
        return _session.LastLoss;
    }

    // A short in-process job: no per-benchmark project build; large configurations take seconds per step.
    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig() => AddJob(Job.ShortRun.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
