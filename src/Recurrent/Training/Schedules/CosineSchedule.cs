namespace Recurrent.Training.Schedules;

/// <summary>Linear warm-up followed by cosine decay to <see cref="MinLearningRate"/> over the run.</summary>
/// <remarks>
/// Effectively computes, for the step with 0-based index <c>s</c> (W = <see cref="WarmupSteps"/>, N = total
/// steps): <c>lr = base·(s + 1)/W</c> while <c>s &lt; W</c>; afterwards, with
/// <c>q = min(1, (s − W)/max(1, N − W))</c>, <c>lr = min + (base − min)·½·(1 + cos(π·q))</c>. N is
/// <see cref="TotalSteps"/> when set, otherwise the trainer's planned number of steps (its step budget, or
/// epochs × batches per epoch).
/// </remarks>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Gets the number of warm-up steps (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long WarmupSteps
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(WarmupSteps));
            field = value;
        }
    }

    /// <summary>Gets the length of the schedule in steps; 0 (default) means the trainer's planned total.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long TotalSteps
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(TotalSteps));
            field = value;
        }
    }

    /// <summary>Gets the rate at the end of the decay (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double MinLearningRate
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinLearningRate), value, "The value must be finite and non-negative.");
    }

    /// <inheritdoc />
    internal override double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state)
    {
        long s = context.Step;
        if (s < WarmupSteps)
        {
            return baseLearningRate * (s + 1) / WarmupSteps;
        }

        long total = TotalSteps > 0 ? TotalSteps : context.TotalSteps;
        double q = Math.Min(1.0, (double)(s - WarmupSteps) / Math.Max(1, total - WarmupSteps));
        double min = Math.Min(MinLearningRate, baseLearningRate);
        return min + ((baseLearningRate - min) * 0.5 * (1 + Math.Cos(Math.PI * q)));
    }
}
