using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// <see cref="KernelBenchmarkConfig"/>'s short job run in the benchmark process itself (no generated project to
/// build, so a busy machine cannot time the build out): 1 launch, 3 warm-ups, 10 iterations, memory diagnoser,
/// GFLOP/s column.
/// </summary>
internal sealed class InProcessKernelBenchmarkConfig : ManualConfig
{
    public InProcessKernelBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn());
    }
}
