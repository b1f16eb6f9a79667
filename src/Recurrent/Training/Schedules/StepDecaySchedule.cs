namespace Recurrent.Training.Schedules;

/// <summary>
/// Zaremba et al.'s schedule: keep the base rate for <see cref="ConstantEpochs"/> epochs, then multiply it by
/// <see cref="Factor"/> at the start of every further epoch.
/// </summary>
/// <remarks>
/// Effectively computes, for 0-based epoch <c>e</c>: <c>lr = base · Factor^max(0, e + 1 − ConstantEpochs)</c>,
/// the same expression as the TensorFlow PTB tutorial (<c>lr_decay ** max(i + 1 − max_epoch, 0)</c>); the
/// "small" configuration is base 1, 4 constant epochs, factor 0.5.
/// </remarks>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    /// <summary>Gets the number of epochs at the base rate (default 4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int ConstantEpochs
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ConstantEpochs));
            field = value;
        }
    } = 4;

    /// <summary>Gets the factor applied per epoch after that (default 0.5).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1).</exception>
    public double Factor { get; init => field = RequireFactor(value, nameof(Factor)); } = 0.5;

    /// <inheritdoc />
    internal override double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state) =>
        baseLearningRate * Math.Pow(Factor, Math.Max(0, context.Epoch + 1 - ConstantEpochs));
}
