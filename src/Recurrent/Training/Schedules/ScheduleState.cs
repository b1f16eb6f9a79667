namespace Recurrent.Training.Schedules;

/// <summary>
/// What a <see cref="LearningRateSchedule"/> remembers between epochs: a multiplicative factor on the base
/// rate, the loss it compares against, and a counter. Saved in checkpoints with the rest of the run state.
/// </summary>
internal sealed class ScheduleState
{
    /// <summary>Gets or sets the multiplier the loss-driven schedules apply to the base rate (starts at 1).</summary>
    public double Factor { get; set; } = 1.0;

    /// <summary>Gets or sets the loss compared against (the previous one, or the best so far); NaN before the first.</summary>
    public double ReferenceLoss { get; set; } = double.NaN;

    /// <summary>Gets or sets the number of consecutive epochs without improvement (plateau).</summary>
    public int BadEpochs { get; set; }

    /// <summary>Gets or sets how many times the schedule has reduced the rate.</summary>
    public int Reductions { get; set; }

    /// <summary>Copies every field into <paramref name="destination"/>.</summary>
    public void CopyTo(ScheduleState destination)
    {
        destination.Factor = Factor;
        destination.ReferenceLoss = ReferenceLoss;
        destination.BadEpochs = BadEpochs;
        destination.Reductions = Reductions;
    }

    /// <summary>Creates a copy.</summary>
    public ScheduleState Clone()
    {
        var copy = new ScheduleState();
        CopyTo(copy);
        return copy;
    }
}
