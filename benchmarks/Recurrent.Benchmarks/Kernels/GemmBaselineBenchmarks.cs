using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// Baselines for <see cref="GemmBenchmarks"/>, single-threaded: a naive i-j-p triple loop, and a row loop of
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> (C[i, j] = A[i, :]·Bᵀ[j, :], with B
/// stored transposed, i.e. the NT layout; for NN shapes the transposed copy is made in the setup, untimed).
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class GemmBaselineBenchmarks
{
    private float[] _a = [];
    private float[] _bt = [];
    private float[] _c = [];
    private GemmShape _shape;

    /// <summary>Gets or sets the shape (the model shapes without the largest one, which takes minutes naively).</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes => GemmShape.ModelShapes.Where(s => s != "NN 4096x4096x256");

    [GlobalSetup]
    public void Setup()
    {
        _shape = GemmShape.Parse(Shape);
        var random = new Random(1234);
        _a = GemmShape.RandomMatrix(random, (long)_shape.M * _shape.K);  // [m, k] row-major
        _bt = GemmShape.RandomMatrix(random, (long)_shape.N * _shape.K); // [n, k]: op(B)ᵀ, rows contiguous in k
        _c = new float[(long)_shape.M * _shape.N];
    }

    [Benchmark]
    public void NaiveLoop()
    {
        int m = _shape.M, n = _shape.N, k = _shape.K;
        float[] a = _a, bt = _bt, c = _c;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * bt[(j * k) + p];
                }

                c[(i * n) + j] = sum;
            }
        }
    }

    [Benchmark]
    public void DotRowLoop()
    {
        int m = _shape.M, n = _shape.N, k = _shape.K;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = _a.AsSpan(i * k, k);
            Span<float> c = _c.AsSpan(i * n, n);
            for (int j = 0; j < n; j++)
            {
                c[j] = TensorPrimitives.Dot(row, _bt.AsSpan(j * k, k));
            }
        }
    }
}
