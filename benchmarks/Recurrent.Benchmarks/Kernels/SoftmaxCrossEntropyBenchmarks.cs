using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NumericsKernels = Recurrent.Numerics.Kernels;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// The fused softmax cross-entropy over one training window's logits, gradient written in place (as the model
/// does), for the word-level configurations' N×V.
/// </summary>
[Config(typeof(InProcessKernelBenchmarkConfig))]
public class SoftmaxCrossEntropyBenchmarks
{
    private float[] _logits = [];
    private int[] _targets = [];
    private float[] _bias = [];
    private int _vocabulary;

    /// <summary>Gets or sets rows × vocabulary, e.g. <c>"1120x4000"</c>.</summary>
    [Params("1120x4000", "400x10000", "700x10000")]
    public string Size { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Size.Split('x');
        int rows = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        _vocabulary = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var random = new Random(7);
        _logits = GemmShape.RandomMatrix(random, (long)rows * _vocabulary);
        _bias = GemmShape.RandomMatrix(random, _vocabulary);
        _targets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            _targets[i] = random.Next(_vocabulary);
        }
    }

    /// <summary>The same loss and gradient composed from <see cref="TensorPrimitives"/> calls (five passes per row).</summary>
    [Benchmark(Baseline = true)]
    public double LossAndGradientInPlace_TensorPrimitives()
    {
        int v = _vocabulary;
        float scale = 1f / _targets.Length;
        double loss = 0;
        for (int n = 0; n < _targets.Length; n++)
        {
            Span<float> d = _logits.AsSpan(n * v, v);
            int target = _targets[n];
            float max = TensorPrimitives.Max(d);
            float targetLogit = d[target];
            TensorPrimitives.Subtract(d, max, d);
            TensorPrimitives.Exp(d, d);
            float sum = TensorPrimitives.Sum(d);
            TensorPrimitives.Multiply(d, scale / sum, d);
            d[target] -= scale;
            loss += Math.Log(sum) + ((double)max - targetLogit);
        }

        return loss;
    }

    /// <summary>The model's path: the output layer's bias added inside the kernel.</summary>
    [Benchmark]
    public double LossAndGradientInPlace_WithBias() =>
        NumericsKernels.SoftmaxCrossEntropy(_logits, _bias, _vocabulary, _targets, default, _logits, 1f / _targets.Length);

    [Benchmark]
    public double LossAndGradientInPlace() =>
        NumericsKernels.SoftmaxCrossEntropy(_logits, _vocabulary, _targets, default, _logits, 1f / _targets.Length);
}
