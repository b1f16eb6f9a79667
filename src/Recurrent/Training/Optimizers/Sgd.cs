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
    private protected override void Update(OptimizerState state, Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        float wd = WeightDecay;
        float mu = Momentum;
        if (mu == 0f)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                float g = gradients[i] + (wd * parameters[i]);
                parameters[i] -= learningRate * g;
            }

            return;
        }

        Span<float> buf = state.Buffer(MomentumBuffer).AsSpan(0, parameters.Length);
        bool nesterov = Nesterov;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradients[i] + (wd * parameters[i]);
            float b = (mu * buf[i]) + g;
            buf[i] = b;
            float d = nesterov ? g + (mu * b) : b;
            parameters[i] -= learningRate * d;
        }
    }
}
