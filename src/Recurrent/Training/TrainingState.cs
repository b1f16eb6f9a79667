using Recurrent.Models;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Training;

/// <summary>
/// Everything that determines how a run continues: the weights, the optimizer state, the schedule state, the
/// trainer's random state, the carried hidden state of a stream, the data position (epoch, batch index),
/// the counters and the best validation loss. Restoring it into a <see cref="Trainer"/> over the same model shape
/// and the same data makes the rest of the run identical, bit for bit, to a run that never stopped.
/// </summary>
/// <remarks>
/// Created by <see cref="Trainer.CaptureState"/> and by <c>Recurrent.Serialization.Checkpoint.Load</c>; immutable to callers.
/// The training layer never writes files itself: a checkpoint file is this state plus the model file around it,
/// written by <c>Recurrent.Serialization.Checkpoint</c> (see <see cref="TrainerOptions.CheckpointWriter"/>).
/// </remarks>
public sealed class TrainingState
{
    internal TrainingState(
        RecurrentModelOptions modelOptions, float[] parameters, OptimizerState optimizer, ScheduleState schedule, ulong[] randomState,
        float[] carriedHidden, float[] carriedCell, TrainingCounters counters)
    {
        ModelOptions = modelOptions;
        Parameters = parameters;
        Optimizer = optimizer;
        Schedule = schedule;
        RandomState = randomState;
        CarriedHidden = carriedHidden;
        CarriedCell = carriedCell;
        Counters = counters;
    }

    /// <summary>Gets the current epoch (0-based).</summary>
    public int Epoch => Counters.Epoch;

    /// <summary>Gets the index, within <see cref="Epoch"/>, of the next batch to train on.</summary>
    public int BatchIndex => Counters.BatchIndex;

    /// <summary>Gets the number of optimizer steps taken.</summary>
    public long Step => Counters.Step;

    /// <summary>Gets the number of training target tokens processed.</summary>
    public long Tokens => Counters.Tokens;

    /// <summary>Gets the best validation loss so far (NaN when none).</summary>
    public double BestValidationLoss => Counters.BestValidationLoss;

    /// <summary>Gets the optimizer state (moments and step count).</summary>
    public OptimizerState Optimizer { get; }

    /// <summary>Gets the options of the model the state belongs to (its shape must match the model it is restored into).</summary>
    internal RecurrentModelOptions ModelOptions { get; }

    /// <summary>Gets the model parameters, in the model's flat layout.</summary>
    internal float[] Parameters { get; }

    /// <summary>Gets the schedule's memory.</summary>
    internal ScheduleState Schedule { get; }

    /// <summary>Gets the trainer's random state (four words of <see cref="DeterministicRandom"/>).</summary>
    internal ulong[] RandomState { get; }

    /// <summary>Gets the carried hidden state <c>[L, B, H]</c> of a stream run (empty when none is carried).</summary>
    internal float[] CarriedHidden { get; }

    /// <summary>Gets the carried cell state <c>[L, B, H]</c> (empty unless an LSTM stream run).</summary>
    internal float[] CarriedCell { get; }

    /// <summary>Gets the scalar counters.</summary>
    internal TrainingCounters Counters { get; }
}
