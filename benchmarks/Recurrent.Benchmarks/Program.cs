using BenchmarkDotNet.Running;
using Recurrent.Benchmarks.Throughput;

namespace Recurrent.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Recurrent.Benchmarks -- --filter *</c> runs
/// BenchmarkDotNet benchmarks; <c>… -- throughput [options]</c> runs the training/sampling throughput harness
/// (see <see cref="ThroughputHarness"/>).
/// </summary>
public static class Program
{
    /// <summary>Runs the throughput harness or the benchmarks selected on the command line.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code.</returns>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "throughput")
        {
            return ThroughputHarness.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
