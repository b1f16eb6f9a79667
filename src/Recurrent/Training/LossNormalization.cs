namespace Recurrent.Training;

/// <summary>
/// How the trainer scales the gradient of the model's summed loss before clipping and the optimizer step.
/// The model's <c>Forward</c> returns the masked <b>sum</b> of the per-token negative log-likelihoods of a
/// batch and <c>Backward</c> produces the gradient of that sum; the trainer multiplies it by a factor.
/// </summary>
public enum LossNormalization
{
    /// <summary>
    /// Divide by the number of real (unmasked) target tokens in the batch: the optimizer sees the gradient of the
    /// mean per-token loss, as PyTorch's <c>CrossEntropyLoss(reduction="mean")</c> with padding ignored. The default.
    /// </summary>
    MeanPerToken = 0,

    /// <summary>
    /// Divide by the batch size B: the gradient of the per-sequence sum averaged over lanes, as Zaremba et al.'s
    /// TensorFlow code (<c>reduce_sum(loss) / batch_size</c>). Rates tuned for it are about T times smaller
    /// than for <see cref="MeanPerToken"/>.
    /// </summary>
    SumPerSequence = 1,

    /// <summary>No scaling: the gradient of the plain sum over the batch (the original tutorial's per-sentence SGD).</summary>
    Sum = 2,
}
