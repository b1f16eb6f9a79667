namespace Recurrent.Training.Schedules;

/// <summary>
/// The original tutorial's rule: look at the loss every <see cref="EveryEpochs"/> epochs and multiply the
/// rate by <see cref="Factor"/> (½) whenever it rose since the previous look.
/// </summary>
/// <remarks>
/// The look happens at the end of epochs <c>k−1, 2k−1, …</c> (0-based), which is the original's "start of
/// epochs k, 2k, …"; the original's extra look before any training is dropped (it only serves as the
/// reference for the first comparison). The loss looked at is the trainer's monitored loss: the validation
/// loss when validation data is given, otherwise the mean training loss of the epoch.
/// </remarks>
public sealed class HalveOnLossIncreaseSchedule : LearningRateSchedule
{
    /// <summary>Gets the number of epochs between looks, k (default 5, the original's <c>evaluate_loss_after</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int EveryEpochs
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(EveryEpochs));
            field = value;
        }
    } = 5;

    /// <summary>Gets the factor applied when the loss rose (default 0.5).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 1).</exception>
    public double Factor { get; init => field = RequireFactor(value, nameof(Factor)); } = 0.5;

    /// <inheritdoc />
    internal override double GetLearningRate(double baseLearningRate, ScheduleContext context, ScheduleState state) => baseLearningRate * state.Factor;

    /// <inheritdoc />
    internal override bool OnEpochEnd(int epoch, double loss, ScheduleState state)
    {
        if ((epoch + 1) % EveryEpochs != 0)
        {
            return false;
        }

        bool rose = !double.IsNaN(state.ReferenceLoss) && loss > state.ReferenceLoss;
        state.ReferenceLoss = loss;
        if (rose)
        {
            state.Factor *= Factor;
            state.Reductions++;
        }

        return rose;
    }
}
