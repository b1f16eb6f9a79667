using Microsoft.Extensions.Logging;

namespace Recurrent.Training;

/// <summary>The trainer's structured log messages (event ids 6001–6010, category <c>Recurrent.Training.Trainer</c> when a typed logger is given).</summary>
internal static partial class TrainerLog
{
    [LoggerMessage(EventId = 6001, EventName = "TrainingStarted", Level = LogLevel.Information,
        Message = "Training started: {ParameterCount} parameters, optimizer {Optimizer}, {PlannedSteps} planned steps, at epoch {Epoch} step {Step}")]
    public static partial void TrainingStarted(ILogger logger, int parameterCount, string optimizer, long plannedSteps, int epoch, long step);

    [LoggerMessage(EventId = 6002, EventName = "TrainingStep", Level = LogLevel.Information,
        Message = "Epoch {Epoch} step {Step}: loss {TrainingLoss:F4}, lr {LearningRate:G4}, grad norm {GradientNorm:F3}, {TokensPerSecond:F0} tokens/s")]
    public static partial void Step(ILogger logger, int epoch, long step, double trainingLoss, double learningRate, double gradientNorm, double tokensPerSecond);

    [LoggerMessage(EventId = 6003, EventName = "Evaluation", Level = LogLevel.Information,
        Message = "Epoch {Epoch} step {Step}: training loss {TrainingLoss:F4}, validation loss {ValidationLoss:F4} (perplexity {ValidationPerplexity:F2}), lr {LearningRate:G4}")]
    public static partial void Evaluation(ILogger logger, int epoch, long step, double trainingLoss, double validationLoss, double validationPerplexity, double learningRate);

    [LoggerMessage(EventId = 6004, EventName = "LearningRateReduced", Level = LogLevel.Information,
        Message = "Schedule {Schedule} reduced the learning rate after epoch {Epoch} (monitored loss {Loss:F4}); factor now {Factor:G4}")]
    public static partial void LearningRateReduced(ILogger logger, string schedule, int epoch, double loss, double factor);

    [LoggerMessage(EventId = 6005, EventName = "Diverged", Level = LogLevel.Warning,
        Message = "Non-finite {Quantity} at step {Step}; rolled back to step {RestoredStep} and halved the learning rate (scale {LearningRateScale:G4}, retry {Retry} of {MaxRetries})")]
    public static partial void Diverged(ILogger logger, string quantity, long step, long restoredStep, double learningRateScale, int retry, int maxRetries);

    [LoggerMessage(EventId = 6006, EventName = "CheckpointWritten", Level = LogLevel.Debug,
        Message = "Checkpoint written at epoch {Epoch} step {Step}")]
    public static partial void CheckpointWritten(ILogger logger, int epoch, long step);

    [LoggerMessage(EventId = 6007, EventName = "EarlyStopping", Level = LogLevel.Information,
        Message = "Early stopping at epoch {Epoch} step {Step}: no improvement for {Evaluations} evaluations (best validation loss {BestValidationLoss:F4})")]
    public static partial void EarlyStopping(ILogger logger, int epoch, long step, int evaluations, double bestValidationLoss);

    [LoggerMessage(EventId = 6008, EventName = "TrainingCancelled", Level = LogLevel.Information,
        Message = "Training cancelled at epoch {Epoch} step {Step}")]
    public static partial void Cancelled(ILogger logger, int epoch, long step);

    [LoggerMessage(EventId = 6009, EventName = "TrainingCompleted", Level = LogLevel.Information,
        Message = "Training finished ({Reason}) at epoch {Epoch} step {Step} after {Elapsed}")]
    public static partial void Completed(ILogger logger, TrainingStopReason reason, int epoch, long step, TimeSpan elapsed);

    [LoggerMessage(EventId = 6010, EventName = "StateRestored", Level = LogLevel.Information,
        Message = "Run state restored: epoch {Epoch} batch {BatchIndex} step {Step}")]
    public static partial void StateRestored(ILogger logger, int epoch, int batchIndex, long step);
}
