namespace Recurrent.Training.Optimizers;

/// <summary>The update loop shared by <see cref="Adam"/> (L2 in the gradient) and <see cref="AdamW"/> (decoupled decay).</summary>
internal static class AdamKernel
{
    public const string FirstMoment = "exp_avg";
    public const string SecondMoment = "exp_avg_sq";

    public static readonly string[] BufferNames = [FirstMoment, SecondMoment];

    /// <summary>
    /// One Adam step at step number <c>t = state.StepCount</c> (1-based): <c>m = β1·m + (1−β1)·g</c>,
    /// <c>v = β2·v + (1−β2)·g²</c>, <c>p −= (lr / (1−β1ᵗ))·m / (√v / √(1−β2ᵗ) + ε)</c> — PyTorch's arrangement.
    /// With <paramref name="decoupledDecay"/> the parameter is first shrunk by <c>(1 − lr·wd)</c> and the
    /// gradient is left alone (AdamW); otherwise <c>g = grad + wd·p</c> (Adam with L2).
    /// </summary>
    public static void Update(
        OptimizerState state, Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate,
        float beta1, float beta2, float epsilon, float weightDecay, bool decoupledDecay)
    {
        Span<float> m = state.Buffer(FirstMoment).AsSpan(0, parameters.Length);
        Span<float> v = state.Buffer(SecondMoment).AsSpan(0, parameters.Length);
        double t = state.StepCount;
        float stepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, t)));
        float bias2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(beta2, t));
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        float l2 = decoupledDecay ? 0f : weightDecay;
        float shrink = decoupledDecay ? 1f - (learningRate * weightDecay) : 1f;
        for (int i = 0; i < parameters.Length; i++)
        {
            float p = parameters[i] * shrink;
            float g = gradients[i] + (l2 * p);
            float mi = (beta1 * m[i]) + (oneMinusBeta1 * g);
            float vi = (beta2 * v[i]) + (oneMinusBeta2 * g * g);
            m[i] = mi;
            v[i] = vi;
            float denom = (MathF.Sqrt(vi) / bias2Sqrt) + epsilon;
            parameters[i] = p - (stepSize * mi / denom);
        }
    }
}
