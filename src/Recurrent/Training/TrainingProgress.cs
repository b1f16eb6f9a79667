namespace Recurrent.Training;

/// <summary>A snapshot of a running training, reported through <see cref="IProgress{T}"/> and <see cref="Trainer.Evaluated"/>.</summary>
/// <remarks>Losses are mean nats per real target token (padding excluded); perplexity is <c>exp(loss)</c>.</remarks>
public sealed class TrainingProgress
{
    /// <summary>Gets the occasion of this report.</summary>
    public required TrainingEventKind Kind { get; init; }

    /// <summary>Gets the current epoch (0-based).</summary>
    public required int Epoch { get; init; }

    /// <summary>Gets the index of the next batch within the epoch (the number of batches of this epoch done).</summary>
    public required int BatchIndex { get; init; }

    /// <summary>Gets the number of batches per epoch of the training data.</summary>
    public required int BatchesPerEpoch { get; init; }

    /// <summary>Gets the number of optimizer steps taken.</summary>
    public required long Step { get; init; }

    /// <summary>Gets the number of training target tokens processed.</summary>
    public required long Tokens { get; init; }

    /// <summary>Gets the mean training loss since the previous report of the same kind (NaN when no step ran since).</summary>
    public required double TrainingLoss { get; init; }

    /// <summary>Gets the training perplexity <c>exp(TrainingLoss)</c>.</summary>
    public double TrainingPerplexity => Math.Exp(TrainingLoss);

    /// <summary>Gets the validation loss of this evaluation, or NaN for step reports and runs without validation data.</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>Gets the validation perplexity <c>exp(ValidationLoss)</c>.</summary>
    public double ValidationPerplexity => Math.Exp(ValidationLoss);

    /// <summary>Gets the best validation loss so far (NaN when none).</summary>
    public required double BestValidationLoss { get; init; }

    /// <summary>Gets the learning rate of the last step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Gets the global L2 norm of the last step's normalised gradient, before clipping.</summary>
    public required double GradientNorm { get; init; }

    /// <summary>Gets the training throughput since the previous report, in target tokens per second.</summary>
    public required double TokensPerSecond { get; init; }

    /// <summary>Gets the training time so far (summed over resumed sessions).</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the estimated time to the end of the budget, or null when it cannot be estimated.</summary>
    public required TimeSpan? EstimatedRemaining { get; init; }
}
