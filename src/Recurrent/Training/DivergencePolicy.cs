namespace Recurrent.Training;

/// <summary>What the trainer does when a loss or gradient is not finite (NaN or infinity).</summary>
public enum DivergencePolicy
{
    /// <summary>
    /// Restore the last good in-memory state (weights, optimizer, schedule, random and data position), halve the
    /// learning rate and continue; after <see cref="TrainerOptions.MaxDivergenceRetries"/> consecutive roll-backs
    /// throw <see cref="TrainingDivergedException"/>. The default.
    /// </summary>
    RollBackAndHalve = 0,

    /// <summary>Throw <see cref="TrainingDivergedException"/> at once, before the bad update is applied.</summary>
    Throw = 1,
}
