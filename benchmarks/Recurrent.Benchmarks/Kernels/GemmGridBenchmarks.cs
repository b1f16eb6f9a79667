using BenchmarkDotNet.Attributes;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// One thread, two task grids for the same product (same result bits): the grid a 2-thread budget cuts (at least
/// 8 tasks, each re-packing its share of A and B), run task by task on the calling thread — what one thread did
/// before — vs <c>Gemm.Multiply</c> at <c>MaxDegreeOfParallelism = 1</c>, which skips that split.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public unsafe class GemmGridBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private GemmShape _shape;

    /// <summary>Gets or sets the shape.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes =>
    [
        "NN 700x200x10000",   // dLogits·W_dec (PTB-small, 35×20 window)
        "TN 800x200x700",     // dW_hh += dPreᵀ·H over the window
        "NT 700x10000x200",   // the output layer
        "NN 1024x1024x1024",
    ];

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        var random = new Random(1234);
        _a = GemmShape.RandomMatrix(random, (long)_shape.M * _shape.K);
        _b = GemmShape.RandomMatrix(random, (long)_shape.K * _shape.N);
        _c = new float[(long)_shape.M * _shape.N];
        ComputeSettings.MaxDegreeOfParallelism = 1;
    }

    [Benchmark(Baseline = true)]
    public void TwoThreadGridOnOneThread()
    {
        GemmShape s = _shape;
        fixed (float* pa = _a)
        fixed (float* pb = _b)
        fixed (float* pc = _c)
        {
            var job = new GemmJob(SimdTiers.Best, s.TransA, s.TransB, s.M, s.N, s.K, 1f, pa, s.Lda, pb, s.Ldb, 0f, pc, s.N, maxDegreeOfParallelism: 2);
            for (int t = 0; t < job.TaskCount; t++)
            {
                Gemm.RunTask(in job, t);
            }
        }
    }

    [Benchmark]
    public void Multiply()
    {
        GemmShape s = _shape;
        Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.Lda, _b, s.Ldb, 0f, _c, s.N);
    }
}
