namespace Recurrent.Training.Optimizers;

/// <summary>
/// The mutable state of an <see cref="Optimizer"/> for one parameter buffer: named per-parameter buffers
/// (with PyTorch's names, e.g. <c>exp_avg</c>, <c>exp_avg_sq</c>) and the number of steps taken.
/// It is plain data: checkpoints write it and read it back, and <see cref="Clone"/> / <see cref="CopyTo"/>
/// snapshot it in memory.
/// </summary>
public sealed class OptimizerState
{
    private readonly Dictionary<string, float[]> _buffers;

    /// <summary>Creates a state from its parts (used when loading a checkpoint).</summary>
    /// <param name="optimizerName">The <see cref="Optimizer.Name"/> of the optimizer that owns the state.</param>
    /// <param name="parameterCount">The length of the parameter buffer the state belongs to.</param>
    /// <param name="stepCount">The number of steps already taken.</param>
    /// <param name="buffers">The named buffers; each must have length <paramref name="parameterCount"/>. They are copied.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public OptimizerState(string optimizerName, int parameterCount, long stepCount, IReadOnlyDictionary<string, float[]> buffers)
    {
        ArgumentNullException.ThrowIfNull(optimizerName);
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        _buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach ((string name, float[] buffer) in buffers)
        {
            ArgumentNullException.ThrowIfNull(buffer, nameof(buffers));
            if (buffer.Length != parameterCount)
            {
                throw new ArgumentException($"Optimizer buffer '{name}' has {buffer.Length} elements; expected {parameterCount}.", nameof(buffers));
            }

            _buffers.Add(name, (float[])buffer.Clone());
        }

        OptimizerName = optimizerName;
        ParameterCount = parameterCount;
        StepCount = stepCount;
    }

    /// <summary>Gets the name of the optimizer that owns this state (see <see cref="Optimizer.Name"/>).</summary>
    public string OptimizerName { get; }

    /// <summary>Gets the length of the parameter buffer this state belongs to.</summary>
    public int ParameterCount { get; }

    /// <summary>Gets the number of optimizer steps taken (Adam's bias-correction <c>t</c>).</summary>
    public long StepCount { get; internal set; }

    /// <summary>Gets the named per-parameter buffers, each of length <see cref="ParameterCount"/>.</summary>
    public IReadOnlyDictionary<string, float[]> Buffers => _buffers;

    /// <summary>Creates an independent deep copy.</summary>
    /// <returns>A new state with the same values.</returns>
    public OptimizerState Clone() => new(OptimizerName, ParameterCount, StepCount, _buffers);

    /// <summary>Copies this state into another state of the same optimizer and shape, without allocating.</summary>
    /// <param name="destination">The state to overwrite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">The destination belongs to another optimizer or shape.</exception>
    public void CopyTo(OptimizerState destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!IsCompatibleWith(destination))
        {
            throw new ArgumentException("The destination state belongs to another optimizer or parameter count.", nameof(destination));
        }

        foreach ((string name, float[] buffer) in _buffers)
        {
            buffer.AsSpan().CopyTo(destination._buffers[name]);
        }

        destination.StepCount = StepCount;
    }

    /// <summary>Gets a buffer by name, or throws when the state lacks it.</summary>
    internal float[] Buffer(string name) =>
        _buffers.TryGetValue(name, out float[]? buffer)
            ? buffer
            : throw new InvalidOperationException($"The optimizer state has no buffer '{name}'.");

    private bool IsCompatibleWith(OptimizerState other)
    {
        if (other.OptimizerName != OptimizerName || other.ParameterCount != ParameterCount || other._buffers.Count != _buffers.Count)
        {
            return false;
        }

        foreach (string name in _buffers.Keys)
        {
            if (!other._buffers.ContainsKey(name))
            {
                return false;
            }
        }

        return true;
    }
}
