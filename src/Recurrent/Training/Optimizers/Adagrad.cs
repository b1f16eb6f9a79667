namespace Recurrent.Training.Optimizers;

/// <summary>Adagrad (Duchi et al.), as PyTorch's <c>torch.optim.Adagrad</c> (min-char-rnn's optimizer).</summary>
/// <remarks>
/// Effectively computes, per element: <c>g = grad + weightDecay·p</c>, <c>s += g²</c>,
/// <c>p −= lr·g / (√s + ε)</c>. State buffer: <c>sum</c> (s), starting at <see cref="InitialAccumulatorValue"/>.
/// min-char-rnn writes <c>√(s + 1e-8)</c> with learning rate 0.1; the difference is only in the ε placement.
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private const string Sum = "sum";
    private static readonly string[] s_buffers = [Sum];

    /// <summary>Gets ε, added to the denominator for stability (default 1e-10, as PyTorch).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public float Epsilon { get; init => field = RequirePositive(value, nameof(Epsilon)); } = 1e-10f;

    /// <summary>Gets the starting value of the squared-gradient sum (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float InitialAccumulatorValue { get; init => field = RequireNonNegative(value, nameof(InitialAccumulatorValue)); }

    /// <summary>Gets the L2 penalty coefficient added to the gradient (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay { get; init => field = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <inheritdoc />
    public override string Name => "adagrad";

    /// <inheritdoc />
    private protected override IReadOnlyList<string> BufferNames => s_buffers;

    /// <inheritdoc />
    private protected override void InitializeState(OptimizerState state) => state.Buffer(Sum).AsSpan().Fill(InitialAccumulatorValue);

    /// <inheritdoc />
    private protected override void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients)
    {
        Span<float> s = state.Buffer(Sum).AsSpan(0, parameters.Length);
        float eps = Epsilon;
        float wd = WeightDecay;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = (gradients[i] * gradientScale) + (wd * parameters[i]);
            if (clearGradients)
            {
                gradients[i] = 0f;
            }

            float si = s[i] + (g * g);
            s[i] = si;
            parameters[i] -= learningRate * g / (MathF.Sqrt(si) + eps);
        }
    }
}
