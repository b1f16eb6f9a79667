using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay, as
/// PyTorch's <c>torch.optim.SGD</c> with <c>dampening = 0</c>.
/// </summary>
/// <remarks>
/// Effectively computes, per element: <c>g = grad + weightDecay·p</c>; without momentum <c>p −= lr·g</c>;
/// with momentum μ: <c>buf = μ·buf + g</c> (buf starts at zero, so the first step has <c>buf = g</c> as in
/// PyTorch), then <c>p −= lr·(nesterov ? g + μ·buf : buf)</c>. With <see cref="Momentum"/> = 0,
/// <see cref="Nesterov"/> has no effect. State buffer: <c>momentum_buffer</c> (only when μ &gt; 0).
/// </remarks>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentum_buffer";
    private static readonly string[] s_none = [];
    private static readonly string[] s_momentum = [MomentumBuffer];

    /// <summary>Gets the momentum factor μ in [0, 1) (default 0: plain SGD).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float Momentum { get; init => field = RequireUnitInterval(value, nameof(Momentum)); }

    /// <summary>Gets whether the momentum is Nesterov's (default false).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Gets the L2 penalty coefficient added to the gradient (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay { get; init => field = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <inheritdoc />
    public override string Name => "sgd";

    /// <inheritdoc />
    private protected override IReadOnlyList<string> BufferNames => Momentum > 0f ? s_momentum : s_none;

    /// <inheritdoc />
    /// <remarks>Vector512/Vector256 blocks with a scalar tail; every lane performs the scalar operation sequence.</remarks>
    private protected override void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients)
    {
        float scale = gradientScale;
        float wd = WeightDecay;
        float mu = Momentum;
        int n = parameters.Length;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float gr = ref MemoryMarshal.GetReference(gradients);
        int i = 0;
        if (mu == 0f)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    Vector512<float> pv = Vector512.LoadUnsafe(ref p, (nuint)i);
                    Vector512<float> g = (Vector512.LoadUnsafe(ref gr, (nuint)i) * scale) + (wd * pv);
                    (pv - (learningRate * g)).StoreUnsafe(ref p, (nuint)i);
                    if (clearGradients)
                    {
                        Vector512<float>.Zero.StoreUnsafe(ref gr, (nuint)i);
                    }
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    Vector256<float> pv = Vector256.LoadUnsafe(ref p, (nuint)i);
                    Vector256<float> g = (Vector256.LoadUnsafe(ref gr, (nuint)i) * scale) + (wd * pv);
                    (pv - (learningRate * g)).StoreUnsafe(ref p, (nuint)i);
                    if (clearGradients)
                    {
                        Vector256<float>.Zero.StoreUnsafe(ref gr, (nuint)i);
                    }
                }
            }

            for (; i < n; i++)
            {
                float g = (Unsafe.Add(ref gr, i) * scale) + (wd * Unsafe.Add(ref p, i));
                Unsafe.Add(ref p, i) -= learningRate * g;
                if (clearGradients)
                {
                    Unsafe.Add(ref gr, i) = 0f;
                }
            }

            return;
        }

        Span<float> buf = state.Buffer(MomentumBuffer).AsSpan(0, n);
        bool nesterov = Nesterov;
        for (; i < n; i++)
        {
            float g = (gradients[i] * scale) + (wd * parameters[i]);
            if (clearGradients)
            {
                gradients[i] = 0f;
            }

            float b = (mu * buf[i]) + g;
            buf[i] = b;
            float d = nesterov ? g + (mu * b) : b;
            parameters[i] -= learningRate * d;
        }
    }
}
