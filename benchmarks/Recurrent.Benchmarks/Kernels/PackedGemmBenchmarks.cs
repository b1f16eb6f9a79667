using BenchmarkDotNet.Attributes;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// The per-step recurrent products on one thread: <c>Gemm.Multiply</c> packing the weight on every call (baseline)
/// vs the same product with the weight packed once (<see cref="PackedMatrix"/>), and the cost of one
/// <see cref="PackedMatrix.Pack(bool, int, int, ReadOnlySpan{float}, int)"/> (paid once per window / optimizer step).
/// NT shapes are the forward step <c>h·W_hhᵀ</c> ([B, H]·[G·H, H]ᵀ); NN shapes its backward <c>dPre·W_hh</c>.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class PackedGemmBenchmarks
{
    private readonly PackedMatrix _packed = new();
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private GemmShape _shape;

    /// <summary>Gets or sets the shape, e.g. <c>"NT 20x800x200"</c>.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes =>
    [
        "NT 20x800x200",    // PTB-small LSTM step, B = 20, H = 200
        "NN 20x200x800",    // its backward to h_{t-1}
        "NT 64x2048x512",   // B = 64, LSTM H = 512
        "NT 64x2600x650",   // B = 64, PTB-medium LSTM H = 650
        "NN 64x650x2600",   // its backward
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
        _packed.Pack(_shape.TransB, _shape.K, _shape.N, _b, _shape.Ldb);
    }

    [Benchmark(Baseline = true)]
    public void Unpacked()
    {
        GemmShape s = _shape;
        Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.Lda, _b, s.Ldb, 0f, _c, s.N);
    }

    [Benchmark]
    public void Packed()
    {
        GemmShape s = _shape;
        Gemm.Multiply(s.TransA, s.M, 1f, _a, s.Lda, _packed, 0f, _c, s.N);
    }

    [Benchmark]
    public void PackOnly()
    {
        GemmShape s = _shape;
        _packed.Pack(s.TransB, s.K, s.N, _b, s.Ldb);
    }
}
