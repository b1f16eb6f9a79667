namespace Recurrent.Training.Optimizers;

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's <c>torch.optim.AdamW</c>.</summary>
/// <remarks>
/// Effectively computes, per element at step t (1-based): <c>p = p·(1 − lr·weightDecay)</c>, then the
/// <see cref="Adam"/> update with the raw gradient. State buffers: <c>exp_avg</c>, <c>exp_avg_sq</c>, and t.
/// </remarks>
public sealed class AdamW : Optimizer
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

    /// <summary>Gets the decoupled weight-decay coefficient (default 0.01, as PyTorch).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay { get; init => field = RequireNonNegative(value, nameof(WeightDecay)); } = 0.01f;

    /// <inheritdoc />
    public override string Name => "adamw";

    /// <inheritdoc />
    private protected override IReadOnlyList<string> BufferNames => AdamKernel.BufferNames;

    /// <inheritdoc />
    private protected override void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients) =>
        AdamKernel.Update(state, parameters, gradients, learningRate, gradientScale, clearGradients, Beta1, Beta2, Epsilon, WeightDecay, decoupledDecay: true);
}
