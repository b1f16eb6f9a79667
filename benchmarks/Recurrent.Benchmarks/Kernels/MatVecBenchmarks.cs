using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Recurrent.Numerics;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// The batch-1 mat-vec: the previous implementation (one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// per row for <c>A·x</c>, one <c>TensorPrimitives.MultiplyAdd</c> axpy per row for <c>Aᵀ·x</c>; baseline) vs the
/// register-blocked <c>Gemm.MatVec</c>. Shapes are written as the GEMM they are: <c>"NT 1xVxH"</c> is
/// <c>y[V] = A[V, H]·x[H]</c>, <c>"NN 1xHxG"</c> is <c>y[H] = A[G, H]ᵀ·x[G]</c>.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class MatVecBenchmarks
{
    private float[] _a = [];
    private float[] _x = [];
    private float[] _y = [];
    private bool _trans;
    private int _rows;
    private int _cols;

    /// <summary>Gets or sets the shape.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    public static IEnumerable<string> Shapes =>
    [
        "NT 1x10000x200",  // PTB-small decoder at batch 1 (8 MB: from memory)
        "NT 1x800x200",    // PTB-small LSTM step (640 KB: in L2)
        "NT 1x2600x650",   // PTB-medium LSTM step (6.8 MB)
        "NN 1x200x800",    // Aᵀ·x, [800, 200]
        "NN 1x650x2600",   // Aᵀ·x, [2600, 650]
    ];

    [GlobalSetup]
    public void Setup()
    {
        GemmShape s = GemmShape.Parse(Shape);
        _trans = !s.TransB;
        (_rows, _cols) = _trans ? (s.K, s.N) : (s.N, s.K); // A is stored [rows, cols]
        var random = new Random(1234);
        _a = GemmShape.RandomMatrix(random, (long)_rows * _cols);
        _x = GemmShape.RandomMatrix(random, _trans ? _rows : _cols);
        _y = new float[_trans ? _cols : _rows];
    }

    [Benchmark(Baseline = true)]
    public void RowLoop()
    {
        int m = _rows, n = _cols;
        if (!_trans)
        {
            for (int i = 0; i < m; i++)
            {
                _y[i] = TensorPrimitives.Dot(_a.AsSpan(i * n, n), _x.AsSpan(0, n));
            }

            return;
        }

        _y.AsSpan().Clear();
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.MultiplyAdd(_a.AsSpan(i * n, n), _x[i], _y, _y);
        }
    }

    [Benchmark]
    public void MatVec() => Gemm.MatVec(_trans, _rows, _cols, _a, _cols, _x, 0f, _y);
}
