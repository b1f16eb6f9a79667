using BenchmarkDotNet.Attributes;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// <c>Gemm.Multiply</c> on the model shapes, on 1 thread and on 2 (the machine's cores), through
/// <see cref="ComputeSettings.MaxDegreeOfParallelism"/>. C is overwritten (beta = 0) each call.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private GemmShape _shape;

    /// <summary>Gets or sets the shape, e.g. <c>"NT 700x10000x200"</c>.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    /// <summary>Gets or sets the thread budget.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<string> Shapes => GemmShape.ModelShapes;

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        var random = new Random(1234);
        _a = GemmShape.RandomMatrix(random, (long)_shape.M * _shape.K);
        _b = GemmShape.RandomMatrix(random, (long)_shape.K * _shape.N);
        _c = new float[(long)_shape.M * _shape.N];
        ComputeSettings.MaxDegreeOfParallelism = Threads;
    }

    [Benchmark]
    public void Multiply()
    {
        GemmShape s = _shape;
        Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.Lda, _b, s.Ldb, 0f, _c, s.N);
    }
}
