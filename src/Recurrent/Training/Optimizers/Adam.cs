namespace Recurrent.Training.Optimizers;

/// <summary>Adam (Kingma and Ba) with optional L2 weight decay added to the gradient, as PyTorch's <c>torch.optim.Adam</c>.</summary>
/// <remarks>
/// Effectively computes, per element at step t (1-based): <c>g = grad + weightDecay·p</c>,
/// <c>m = β1·m + (1−β1)·g</c>, <c>v = β2·v + (1−β2)·g²</c>,
/// <c>p −= lr·(m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)</c>. State buffers: <c>exp_avg</c> (m), <c>exp_avg_sq</c> (v),
/// and the step count t. For decay decoupled from the gradient use <see cref="AdamW"/>.
/// </remarks>
public sealed class Adam : Optimizer
{
    /// <summary>Gets β1, the decay of the first-moment average (default 0.9).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float Beta1 { get; init => field = RequireUnitInterval(value, nameof(Beta1)); } = 0.9f;

    /// <summary>Gets β2, the decay of the second-moment average (default 0.999).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1).</exception>
    public float Beta2 { get; init => field = RequireUnitInterval(value, nameof(Beta2)); } = 0.999f;

    /// <summary>Gets ε, added to the denominator for stability (default 1e-8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and finite.</exception>
    public float Epsilon { get; init => field = RequirePositive(value, nameof(Epsilon)); } = 1e-8f;

    /// <summary>Gets the L2 penalty coefficient added to the gradient (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay { get; init => field = RequireNonNegative(value, nameof(WeightDecay)); }

    /// <inheritdoc />
    public override string Name => "adam";

    /// <inheritdoc />
    private protected override IReadOnlyList<string> BufferNames => AdamKernel.BufferNames;

    /// <inheritdoc />
    private protected override void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients) =>
        AdamKernel.Update(state, parameters, gradients, learningRate, gradientScale, clearGradients, Beta1, Beta2, Epsilon, WeightDecay, decoupledDecay: false);
}
