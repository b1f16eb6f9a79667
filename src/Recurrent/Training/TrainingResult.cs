namespace Recurrent.Training;

/// <summary>What <see cref="Trainer.Fit"/> returns when it finishes without being cancelled.</summary>
public sealed class TrainingResult
{
    /// <summary>Gets why training stopped.</summary>
    public required TrainingStopReason StopReason { get; init; }

    /// <summary>Gets the total number of optimizer steps taken.</summary>
    public required long Steps { get; init; }

    /// <summary>Gets the total number of training target tokens processed.</summary>
    public required long Tokens { get; init; }

    /// <summary>Gets the number of completed epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Gets the last evaluation's report (null when none ran).</summary>
    public required TrainingProgress? LastEvaluation { get; init; }

    /// <summary>Gets the best validation loss seen (NaN when there was no validation data).</summary>
    public required double BestValidationLoss { get; init; }

    /// <summary>Gets the number of divergences handled by rolling back.</summary>
    public required int Divergences { get; init; }
}
