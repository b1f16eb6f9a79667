namespace Recurrent.Training.Schedules;

/// <summary>Keeps the base learning rate for the whole run (the default).</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <inheritdoc />
    internal override double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state) => baseLearningRate;
}
