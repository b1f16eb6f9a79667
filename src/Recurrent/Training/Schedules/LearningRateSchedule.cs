namespace Recurrent.Training.Schedules;

/// <summary>
/// A learning-rate schedule: an immutable definition that maps the base rate, the position in the run and
/// (for the loss-driven schedules) the losses seen at epoch ends to the rate of the next step. What it
/// remembers lives in the trainer's run state, so it is checkpointed and resumed with the run.
/// </summary>
/// <remarks>
/// The available schedules are <see cref="ConstantSchedule"/>, <see cref="HalveOnLossIncreaseSchedule"/>
/// (the original tutorial's rule), <see cref="StepDecaySchedule"/> (Zaremba et al.),
/// <see cref="ReduceOnPlateauSchedule"/> and <see cref="CosineSchedule"/> (with linear warm-up).
/// </remarks>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>Returns the rate for the next step.</summary>
    /// <param name="baseLearningRate">The trainer's base rate.</param>
    /// <param name="context">The step, epoch and planned total.</param>
    /// <param name="state">What the schedule remembers.</param>
    internal abstract double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state);

    /// <summary>Tells the schedule an epoch has ended with the given monitored loss.</summary>
    /// <param name="epoch">The epoch that ended, 0-based.</param>
    /// <param name="loss">The monitored loss (validation when available, else the epoch's training loss), mean nats per token.</param>
    /// <param name="state">What the schedule remembers; updated in place.</param>
    /// <returns>True when the schedule reduced the rate.</returns>
    internal virtual bool OnEpochEnd(int epoch, double loss, ScheduleState state) => false;

    /// <summary>Throws unless <paramref name="value"/> is in (0, 1).</summary>
    private protected static double RequireFactor(double value, string name) =>
        value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, "The factor must be in (0, 1).");
}
