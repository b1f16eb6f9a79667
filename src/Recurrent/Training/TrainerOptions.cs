using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Training;

/// <summary>
/// How a <see cref="Trainer"/> trains: budget, optimizer, schedule, clipping, evaluation, early stopping,
/// checkpoints and divergence handling. Immutable; <see cref="Validate"/> checks it.
/// </summary>
/// <remarks>
/// Batch size, window length and the dataset mode (sentences with zero state per batch, or a stream whose state
/// is carried between windows) are properties of the <see cref="Data.ITokenDataset"/> given to
/// <see cref="Trainer.Fit"/>, as is the shuffling seed (a dataset's batch order is a function of its own seed and
/// the epoch). Dropout is on in training steps and off in evaluation; its rate is a model option.
/// The budget is absolute: training stops when <see cref="Epochs"/> epochs, <see cref="MaxSteps"/> steps or
/// <see cref="MaxTokens"/> tokens have been completed in total, counting what a restored state already did.
/// </remarks>
public sealed record TrainerOptions
{
    /// <summary>Gets the number of epochs to train (default 1); 0 means no epoch limit (then a step or token budget is required).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Gets the maximum number of optimizer steps; 0 (default) means no step limit.</summary>
    public long MaxSteps { get; init; }

    /// <summary>Gets the maximum number of training target tokens; 0 (default) means no token limit. Checked after each step.</summary>
    public long MaxTokens { get; init; }

    /// <summary>Gets the base learning rate the schedule starts from (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Gets the optimizer (default <see cref="Adam"/> with PyTorch's defaults). Weight decay is set on it.</summary>
    public Optimizer Optimizer { get; init; } = new Adam();

    /// <summary>Gets the learning-rate schedule (default <see cref="ConstantSchedule"/>).</summary>
    public LearningRateSchedule Schedule { get; init; } = new ConstantSchedule();

    /// <summary>Gets how the gradient of the summed batch loss is scaled (default <see cref="LossNormalization.MeanPerToken"/>).</summary>
    public LossNormalization LossNormalization { get; init; } = LossNormalization.MeanPerToken;

    /// <summary>Gets the maximum global L2 norm of the (normalised) gradient; larger gradients are scaled down to it. 0 turns it off. Default 5.</summary>
    public float MaxGradientNorm { get; init; } = 5f;

    /// <summary>Gets the bound for clipping each gradient element to <c>[−v, v]</c>, applied after norm clipping; 0 (default) turns it off.</summary>
    public float GradientClipValue { get; init; }

    /// <summary>Gets the seed of the trainer's random stream (dropout masks). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the number of steps between evaluations inside an epoch; 0 (default) evaluates only at epoch ends. Every epoch end evaluates.</summary>
    public int EvaluationInterval { get; init; }

    /// <summary>Gets the number of steps between <see cref="TrainingEventKind.Step"/> progress reports; 0 turns them off. Default 100.</summary>
    public int ProgressInterval { get; init; } = 100;

    /// <summary>
    /// Gets the number of consecutive evaluations without a validation improvement after which training stops;
    /// 0 (default) turns early stopping off. Needs validation data.
    /// </summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Gets the decrease of the validation loss (nats per token) that counts as an improvement (default 0).</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>
    /// Gets what receives the run state at every checkpoint; null (default) writes none. The trainer decides when
    /// (see <see cref="CheckpointInterval"/>) and captures the state; the writer stores it. To write checkpoint files,
    /// use <c>Recurrent.Serialization.Checkpoint.Save</c>:
    /// <c>CheckpointWriter = state =&gt; Checkpoint.Save(path, state, model, vocabulary, tokenizer)</c>, which replaces the
    /// file atomically. Exceptions from the writer propagate out of <see cref="Trainer.Fit"/>.
    /// </summary>
    public Action<TrainingState>? CheckpointWriter { get; init; }

    /// <summary>
    /// Gets the number of steps between checkpoints inside an epoch; 0 (default) writes one at every evaluation.
    /// A checkpoint is also written at every epoch end and when <see cref="Trainer.Fit"/> finishes or is cancelled
    /// (only when <see cref="CheckpointWriter"/> is set).
    /// </summary>
    public int CheckpointInterval { get; init; }

    /// <summary>Gets what happens on a non-finite loss or gradient (default <see cref="DivergencePolicy.RollBackAndHalve"/>).</summary>
    public DivergencePolicy DivergencePolicy { get; init; } = DivergencePolicy.RollBackAndHalve;

    /// <summary>Gets the number of consecutive roll-backs allowed before giving up (default 5).</summary>
    public int MaxDivergenceRetries { get; init; } = 5;

    /// <summary>Checks every option and throws when one is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count, rate or bound is out of range.</exception>
    /// <exception cref="ArgumentNullException">The optimizer or schedule is null.</exception>
    /// <exception cref="ArgumentException">No budget is set.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSteps, nameof(MaxSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTokens, nameof(MaxTokens));
        if (Epochs == 0 && MaxSteps == 0 && MaxTokens == 0)
        {
            throw new ArgumentException("Set at least one budget: Epochs, MaxSteps or MaxTokens.", nameof(Epochs));
        }

        if (!(LearningRate >= 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be finite and non-negative.");
        }

        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        if (!Enum.IsDefined(LossNormalization))
        {
            throw new ArgumentOutOfRangeException(nameof(LossNormalization), LossNormalization, "Unknown loss normalisation.");
        }

        if (!(MaxGradientNorm >= 0f) || !float.IsFinite(MaxGradientNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "The bound must be finite and non-negative.");
        }

        if (!(GradientClipValue >= 0f) || !float.IsFinite(GradientClipValue))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClipValue), GradientClipValue, "The bound must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(EvaluationInterval, nameof(EvaluationInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(ProgressInterval, nameof(ProgressInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
        if (!(EarlyStoppingMinDelta >= 0) || !double.IsFinite(EarlyStoppingMinDelta))
        {
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "The delta must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointInterval, nameof(CheckpointInterval));
        if (!Enum.IsDefined(DivergencePolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(DivergencePolicy), DivergencePolicy, "Unknown divergence policy.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxDivergenceRetries, nameof(MaxDivergenceRetries));
    }
}
