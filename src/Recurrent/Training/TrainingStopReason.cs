namespace Recurrent.Training;

/// <summary>Why <see cref="Trainer.Fit"/> returned.</summary>
public enum TrainingStopReason
{
    /// <summary>The epoch, step or token budget was reached.</summary>
    BudgetReached = 0,

    /// <summary>The validation loss stopped improving for <see cref="TrainerOptions.EarlyStoppingPatience"/> evaluations.</summary>
    EarlyStopping = 1,
}
