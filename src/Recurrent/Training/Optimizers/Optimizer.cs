using System.Runtime.InteropServices;

namespace Recurrent.Training.Optimizers;

/// <summary>
/// An update rule over a model's flat parameter buffer. An optimizer object is an immutable definition
/// (its hyper-parameters); everything that changes from step to step lives in an <see cref="OptimizerState"/>
/// created by <see cref="CreateState"/>, so the state can be checkpointed, restored and copied, and one
/// definition can serve many runs.
/// </summary>
/// <remarks>
/// The learning rate is not a property of the optimizer: the trainer passes the scheduled rate to every
/// <see cref="Step(OptimizerState, Span{float}, ReadOnlySpan{float}, float)"/>. The formulas follow PyTorch's <c>torch.optim</c> classes of the same name (without
/// PyTorch's less common options), so hyper-parameters carry over.
/// </remarks>
public abstract class Optimizer
{
    private protected Optimizer()
    {
    }

    /// <summary>Gets the short name stored with the state in checkpoints (e.g. <c>adam</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Creates a fresh (zeroed) state for a parameter buffer of the given length.</summary>
    /// <param name="parameterCount">The number of scalar parameters.</param>
    /// <returns>A new state.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameterCount"/> is negative.</exception>
    public OptimizerState CreateState(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (string name in BufferNames)
        {
            buffers.Add(name, new float[parameterCount]);
        }

        var state = new OptimizerState(Name, parameterCount, 0, buffers);
        InitializeState(state);
        return state;
    }

    /// <summary>
    /// Applies one update: reads <paramref name="gradients"/> and changes <paramref name="parameters"/> and
    /// <paramref name="state"/> in place. Allocates nothing.
    /// </summary>
    /// <param name="state">The state created by <see cref="CreateState"/> for this buffer.</param>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="gradients">The gradient of the loss with respect to <paramref name="parameters"/>, same length.</param>
    /// <param name="learningRate">The learning rate for this step (non-negative).</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, or the state belongs to another optimizer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not finite.</exception>
    public void Step(OptimizerState state, Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        // The update only reads the gradients when it neither scales them by anything but 1 nor clears them.
        Span<float> readOnly = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(gradients), gradients.Length);
        StepCore(state, parameters, readOnly, learningRate, 1f, clearGradients: false);
    }

    /// <summary>
    /// Applies one update to the gradients multiplied by <paramref name="gradientScale"/> (e.g. the mean's
    /// <c>1/N</c> times a global-norm clipping coefficient), multiplying each gradient as the update reads it, and
    /// optionally sets the gradients to zero in the same pass. Allocates nothing.
    /// </summary>
    /// <param name="state">The state created by <see cref="CreateState"/> for this buffer.</param>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="gradients">The unscaled gradient, same length as <paramref name="parameters"/>.</param>
    /// <param name="learningRate">The learning rate for this step (non-negative).</param>
    /// <param name="gradientScale">The factor applied to every gradient element before the update (finite).</param>
    /// <param name="clearGradients">
    /// Whether to set <paramref name="gradients"/> to zero in the same pass (for a caller that would zero them before its
    /// next backward pass anyway); when false the gradients are left unchanged (not scaled in place).
    /// </param>
    /// <remarks>
    /// The parameters and the state end bitwise equal to what
    /// <c>TensorPrimitives.Multiply(gradients, gradientScale, gradients)</c> followed by
    /// <see cref="Step(OptimizerState, Span{float}, ReadOnlySpan{float}, float)"/> give: every element is multiplied
    /// by the same float factor, then updated by the same operation sequence. It saves one or two passes over the
    /// gradient buffer per training step (PyTorch's <c>clip_grad_norm_</c> scale and <c>zero_grad</c>).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ, or the state belongs to another optimizer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="learningRate"/> is negative or not finite, or <paramref name="gradientScale"/> is not finite.
    /// </exception>
    public void Step(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients)
    {
        if (!float.IsFinite(gradientScale))
        {
            throw new ArgumentOutOfRangeException(nameof(gradientScale), gradientScale, "The gradient scale must be finite.");
        }

        StepCore(state, parameters, gradients, learningRate, gradientScale, clearGradients);
    }

    private void StepCore(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != Name)
        {
            throw new ArgumentException($"The state belongs to optimizer '{state.OptimizerName}', not '{Name}'.", nameof(state));
        }

        if (parameters.Length != state.ParameterCount)
        {
            throw new ArgumentException($"The parameter buffer has {parameters.Length} elements; the state was created for {state.ParameterCount}.", nameof(parameters));
        }

        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException("The gradient buffer must have the same length as the parameter buffer.", nameof(gradients));
        }

        if (!(learningRate >= 0f) || float.IsPositiveInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and non-negative.");
        }

        state.StepCount++;
        Update(state, parameters, gradients, learningRate, gradientScale, clearGradients);
    }

    /// <summary>Checks that a state (e.g. one read from a checkpoint) fits this optimizer and buffer length.</summary>
    /// <param name="state">The state to check.</param>
    /// <param name="parameterCount">The length of the parameter buffer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The optimizer name, the length or the buffer names do not match.</exception>
    public void ValidateState(OptimizerState state, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != Name || state.ParameterCount != parameterCount)
        {
            throw new ArgumentException($"The optimizer state ('{state.OptimizerName}', {state.ParameterCount} parameters) does not fit optimizer '{Name}' with {parameterCount} parameters.", nameof(state));
        }

        foreach (string name in BufferNames)
        {
            if (!state.Buffers.ContainsKey(name))
            {
                throw new ArgumentException($"The optimizer state lacks buffer '{name}'.", nameof(state));
            }
        }

        if (state.Buffers.Count != BufferNames.Count)
        {
            throw new ArgumentException($"The optimizer state has {state.Buffers.Count} buffers; '{Name}' uses {BufferNames.Count}.", nameof(state));
        }
    }

    /// <summary>Gets the names of the per-parameter buffers this optimizer keeps.</summary>
    private protected abstract IReadOnlyList<string> BufferNames { get; }

    /// <summary>Sets non-zero initial values in a fresh state (default: nothing).</summary>
    private protected virtual void InitializeState(OptimizerState state)
    {
    }

    /// <summary>
    /// The update rule on <c>gradientScale · gradients</c> (each element multiplied as it is read, in float);
    /// <see cref="OptimizerState.StepCount"/> already counts this step. Writes the gradients only when
    /// <paramref name="clearGradients"/> is true (then it zeroes each element after reading it).
    /// </summary>
    private protected abstract void Update(OptimizerState state, Span<float> parameters, Span<float> gradients, float learningRate, float gradientScale, bool clearGradients);

    /// <summary>Throws unless <paramref name="value"/> is finite and at least zero.</summary>
    private protected static float RequireNonNegative(float value, string name) =>
        value >= 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "The value must be finite and non-negative.");

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
    private protected static float RequireUnitInterval(float value, string name) =>
        value >= 0f && value < 1f ? value : throw new ArgumentOutOfRangeException(name, value, "The value must be in [0, 1).");

    /// <summary>Throws unless <paramref name="value"/> is finite and positive.</summary>
    private protected static float RequirePositive(float value, string name) =>
        value > 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "The value must be finite and positive.");
}
