namespace Recurrent.Models;

/// <summary>
/// A recurrent language model: token ids in, a distribution over the next token out. Parameters and
/// gradients each live in one flat buffer with the layout given by <see cref="Tensors"/>.
/// </summary>
/// <remarks>
/// Batches are time-major: element <c>t·B + b</c> of an input span is the token at step <c>t</c> of lane
/// <c>b</c>. A model instance holds the activation cache of its last training forward pass, so one
/// instance must not run <see cref="Forward"/>/<see cref="Backward"/> on several threads at once;
/// <see cref="Step"/> only reads the parameters and writes the given state, so many samplers may
/// call it concurrently with their own <see cref="RecurrentState"/> objects.
/// </remarks>
public interface IRecurrentModel
{
    /// <summary>Gets the options the model was created with.</summary>
    RecurrentModelOptions Options { get; }

    /// <summary>Gets the named tensors (PyTorch <c>state_dict</c> names and shapes) in buffer order.</summary>
    IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>Gets the number of scalar parameters (the length of <see cref="Parameters"/>).</summary>
    int ParameterCount { get; }

    /// <summary>Gets the flat parameter buffer.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gets the flat gradient buffer, with the same layout as <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }

    /// <summary>Creates a zeroed recurrent state for <paramref name="batchSize"/> independent lanes.</summary>
    /// <param name="batchSize">The number of lanes (sequences run side by side).</param>
    /// <returns>A new state owned by the caller.</returns>
    RecurrentState CreateState(int batchSize);

    /// <summary>
    /// Runs the model over a window of <c>T = inputs.Length / batchSize</c> steps and returns the summed
    /// cross-entropy of the targets, counting only positions whose mask is non-zero.
    /// </summary>
    /// <param name="inputs">Input ids, time-major <c>[T, B]</c>.</param>
    /// <param name="targets">Target ids, time-major <c>[T, B]</c>, same length as <paramref name="inputs"/>.</param>
    /// <param name="mask">Weights per position <c>[T, B]</c> (1 = real token, 0 = padding), or empty for all ones.</param>
    /// <param name="state">The state to start from; on return it holds the state after the last step.</param>
    /// <param name="mode">Training caches activations for <see cref="Backward"/> and applies dropout; evaluation does neither.</param>
    /// <param name="random">The generator for dropout masks; required when training with dropout.</param>
    /// <returns>The summed loss (natural log) and the number of positions counted.</returns>
    /// <remarks>
    /// The loss is the mask-weighted <b>sum</b> over positions, not the mean: <see cref="Backward"/> computes the gradient
    /// of this sum, and a caller wanting the mean divides (e.g. scales the gradients by 1/<see cref="LossSum.Count"/>).
    /// A training pass also computes dL/dlogits here (fused with the loss). An evaluation pass discards the cache of an
    /// earlier training pass. Ids outside <c>[0, V)</c> throw <see cref="ArgumentOutOfRangeException"/>; mismatched lengths or
    /// a state of another shape throw <see cref="ArgumentException"/>; training with dropout and no
    /// <paramref name="random"/> throws <see cref="ArgumentNullException"/>.
    /// </remarks>
    LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null);

    /// <summary>
    /// Back-propagates the summed loss of the last training <see cref="Forward"/> through the window and
    /// <b>accumulates</b> into <see cref="Gradients"/> (call <see cref="ZeroGradients"/> first). Gradients stop at
    /// the window's start (truncated BPTT).
    /// </summary>
    /// <exception cref="InvalidOperationException">The last forward pass was not a training pass, or it was already back-propagated.</exception>
    void Backward();

    /// <summary>Sets every element of <see cref="Gradients"/> to zero.</summary>
    void ZeroGradients();

    /// <summary>
    /// Advances every lane of <paramref name="state"/> by one token and writes the next-token logits
    /// (unnormalised log-probabilities) to <paramref name="logits"/>, <c>[B, V]</c>. Never applies dropout.
    /// </summary>
    /// <param name="tokenIds">One id per lane, length B = <see cref="RecurrentState.BatchSize"/>.</param>
    /// <param name="state">The state to advance in place.</param>
    /// <param name="logits">Destination, length at least <c>B·V</c>.</param>
    void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits);
}
