using BenchmarkDotNet.Attributes;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// <c>Gemm.Multiply</c> on the exact products of one training step of the word-level configurations, on the
/// machine's 2 threads: the output layer (forward NT, weight gradient TN, input gradient NN) and the LSTM weight
/// gradients (TN with k = T·B). C is accumulated (beta = 1) like the model does, except the NN input gradient
/// (beta = 0).
/// </summary>
[Config(typeof(InProcessKernelBenchmarkConfig))]
public class DecoderGemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private GemmShape _shape;
    private float _beta;

    /// <summary>Gets or sets the shape, e.g. <c>"NT 1120x4000x128"</c>.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    /// <summary>Gets or sets the thread budget.</summary>
    [Params(2)]
    public int Threads { get; set; }

    public static IEnumerable<string> Shapes =>
    [
        "NT 1120x4000x128",   // word-b32 (N = 1120, H = 128, V = 4000): logits = h·Wᵀ
        "TN 4000x128x1120",   //   dW = dLogitsᵀ·h
        "NN 1120x128x4000",   //   dH = dLogits·W
        "TN 512x128x1120",    //   LSTM dW_ih / dW_hh = dGatesᵀ·x
        "NT 400x10000x200",   // word-ptb-small (N = 400, H = 200, V = 10000)
        "TN 10000x200x400",
        "NN 400x200x10000",
        "TN 800x200x400",
        "NT 700x10000x650",   // word-m (N = 700, H = 650, V = 10000)
        "TN 10000x650x700",
        "NN 700x650x10000",
        "TN 2600x650x700",
    ];

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        var random = new Random(1234);
        _a = GemmShape.RandomMatrix(random, (long)_shape.M * _shape.K);
        _b = GemmShape.RandomMatrix(random, (long)_shape.K * _shape.N);
        _c = new float[(long)_shape.M * _shape.N];
        _beta = _shape.TransA || _shape.TransB ? 1f : 0f;
        ComputeSettings.MaxDegreeOfParallelism = Threads;
    }

    [Benchmark]
    public void Multiply()
    {
        GemmShape s = _shape;
        Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.Lda, _b, s.Ldb, _beta, _c, s.N);
    }
}
