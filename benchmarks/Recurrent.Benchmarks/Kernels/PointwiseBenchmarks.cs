using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NumericsKernels = Recurrent.Numerics.Kernels;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// Fused pointwise kernels against the same math composed from <see cref="TensorPrimitives"/> calls (the
/// baseline), on one LSTM step of PTB-small (B = 20, H = 200) and on the PTB-small output block.
/// </summary>
[Config(typeof(KernelBenchmarkConfig))]
public class PointwiseBenchmarks
{
    private const int Rows = 20, Hidden = 200, Vocabulary = 10000, Window = 700;
    private readonly float[] _y = new float[Rows * Hidden];
    private readonly float[] _dy = new float[Rows * Hidden];
    private readonly float[] _dx = new float[Rows * Hidden];
    private readonly float[] _tmp = new float[Rows * Hidden];
    private readonly float[] _gates = new float[Rows * 4 * Hidden];
    private readonly float[] _cPrev = new float[Rows * Hidden];
    private readonly float[] _dc = new float[Rows * Hidden];
    private readonly float[] _dGates = new float[Rows * 4 * Hidden];
    private readonly float[] _dcPrev = new float[Rows * Hidden];
    private readonly float[] _logits = new float[Window * Vocabulary];
    private readonly float[] _dlogits = new float[Window * Vocabulary];
    private readonly int[] _targets = new int[Window];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(99);
        foreach (float[] x in new[] { _y, _dy, _gates, _cPrev, _dc, _logits })
        {
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        for (int i = 0; i < _targets.Length; i++)
        {
            _targets[i] = random.Next(Vocabulary);
        }
    }

    [Benchmark(Baseline = true)]
    public void TanhBackward_TensorPrimitives()
    {
        // dx = dy·(1 − y²) as three library calls.
        TensorPrimitives.Multiply(_y, _y, _tmp);
        TensorPrimitives.Subtract(1f, _tmp, _tmp);
        TensorPrimitives.Multiply(_dy, _tmp, _dx);
    }

    [Benchmark]
    public void TanhBackward_Fused() => NumericsKernels.TanhBackward(_y, _dy, _dx);

    [Benchmark]
    public void LstmBackwardPointwise_Fused() =>
        NumericsKernels.LstmBackwardPointwise(Hidden, _gates, _cPrev, _y, _dy, _dc, _dGates, _dcPrev);

    [Benchmark]
    public double SoftmaxCrossEntropy_700x10000() =>
        NumericsKernels.SoftmaxCrossEntropy(_logits, Vocabulary, _targets, default, _dlogits, 1f / Window);
}
