namespace Recurrent.Training.Schedules;

/// <summary>
/// Multiplies the rate by <see cref="Factor"/> when the monitored loss has not improved for more than
/// <see cref="Patience"/> epochs, as PyTorch's <c>ReduceLROnPlateau</c> (mode "min", relative threshold, no cool-down).
/// </summary>
/// <remarks>
/// At each epoch end: the loss counts as an improvement when <c>loss &lt; best·(1 − Threshold)</c>; then
/// <c>best = loss</c> and the counter resets, otherwise the counter grows; when it exceeds
/// <see cref="Patience"/> the rate is reduced (never below <see cref="MinLearningRate"/>) and the counter
/// resets. The monitored loss is the validation loss when validation data is given, otherwise the mean
/// training loss of the epoch.
/// </remarks>
public sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    /// <summary>Gets the factor applied on a plateau (default 0.1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1).</exception>
    public double Factor { get; init => field = RequireFactor(value, nameof(Factor)); } = 0.1;

    /// <summary>Gets the number of epochs without improvement that are tolerated (default 10).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int Patience
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Patience));
            field = value;
        }
    } = 10;

    /// <summary>Gets the relative improvement that counts (default 1e-4).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not below 1.</exception>
    public double Threshold
    {
        get;
        init => field = value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "The threshold must be in [0, 1).");
    } = 1e-4;

    /// <summary>Gets the floor of the rate (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double MinLearningRate
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinLearningRate), value, "The value must be finite and non-negative.");
    }

    /// <inheritdoc />
    internal override double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state) =>
        Math.Max(baseLearningRate * state.Factor, Math.Min(MinLearningRate, baseLearningRate));

    /// <inheritdoc />
    internal override bool OnEpochEnd(int epoch, double loss, ScheduleState state)
    {
        if (double.IsNaN(state.ReferenceLoss) || loss < state.ReferenceLoss * (1 - Threshold))
        {
            state.ReferenceLoss = loss;
            state.BadEpochs = 0;
            return false;
        }

        state.BadEpochs++;
        if (state.BadEpochs <= Patience)
        {
            return false;
        }

        state.BadEpochs = 0;
        state.Factor *= Factor;
        state.Reductions++;
        return true;
    }
}
