namespace Recurrent.Training.Optimizers;

/// <summary>RMSProp (Tieleman and Hinton), as PyTorch's <c>torch.optim.RMSprop</c> without momentum or centring.</summary>
/// <remarks>
/// Effectively computes, per element: <c>g = grad + weightDecay·p</c>, <c>v = α·v + (1−α)·g²</c>,
/// <c>p −= lr·g / (√v + ε)</c>. State buffer: <c>square_avg</c> (v). char-rnn's defaults are
/// α = 0.95 (its <c>decay_rate</c>) with learning rate 2e-3; PyTorch's default α is 0.99.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private const string SquareAverage = "square_avg";
    private static readonly string[] s_buffers = [SquareAverage];

    /// <summary>Gets α, the decay of the squared-gradient average (default 0.99).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float Alpha { get; init => field = RequireUnitInterval(value, nameof(Alpha)); } = 0.99f;

    /// <summary>Gets ε, added to the denominator for stability (default 1e-8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public float Epsilon { get; init => field = RequirePositive(value, nameof(Epsilon)); } = 1e-8f;

    /// <summary>Gets the L2 penalty coefficient added to the gradient (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay { get; init => field = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <inheritdoc />
    public override string Name => "rmsprop";

    /// <inheritdoc />
    private protected override IReadOnlyList<string> BufferNames => s_buffers;

    /// <inheritdoc />
    private protected override void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients)
    {
        Span<float> v = state.Buffer(SquareAverage).AsSpan(0, parameters.Length);
        float alpha = Alpha;
        float oneMinusAlpha = 1f - alpha;
        float eps = Epsilon;
        float wd = WeightDecay;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = (gradients[i] * gradientScale) + (wd * parameters[i]);
            if (clearGradients)
            {
                gradients[i] = 0f;
            }

            float vi = (alpha * v[i]) + (oneMinusAlpha * g * g);
            v[i] = vi;
            parameters[i] -= learningRate * g / (MathF.Sqrt(vi) + eps);
        }
    }
}
