using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Numerics;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Training;

/// <summary>
/// Trains any <see cref="IRecurrentModel"/> on an <see cref="ITokenDataset"/>: truncated BPTT windows, gradient
/// normalisation and clipping, an optimizer over the flat parameter buffer, a learning-rate schedule, evaluation,
/// early stopping, checkpoints, divergence handling and cancellation. It knows nothing about the model's
/// architecture.
/// </summary>
/// <remarks>
/// <para>
/// A trainer owns the run state (optimizer moments, schedule memory, random stream, data position, counters);
/// the weights live in the model. <see cref="Fit"/> continues from that state until the budget of
/// <see cref="TrainerOptions"/> is reached, so calling it again after <see cref="RestoreState"/> (with a state captured
/// in memory or read from a checkpoint file by <c>Recurrent.Serialization.Checkpoint</c>) resumes the run; the resumed trajectory is bit-identical to an uninterrupted one
/// (same options apart from the budget, same data, same thread count — and the library's kernels do not depend on
/// the thread count).
/// </para>
/// <para>
/// Stream datasets (<see cref="ITokenDataset.CarriesState"/>) carry each lane's hidden state from window to window
/// (zeroed when <see cref="Batch.ResetState"/>); gradients stop at the window edge. Sentence datasets start every
/// batch from a zero state. A trainer is not thread-safe; multi-core speed comes from the parallel kernels
/// (<see cref="ComputeSettings.MaxDegreeOfParallelism"/>). The steady-state training step allocates nothing.
/// </para>
/// </remarks>
public sealed class Trainer
{
    private readonly IRecurrentModel _model;
    private readonly TrainerOptions _options;
    private readonly ILogger _logger;
    private readonly OptimizerState _optimizerState;
    private readonly ScheduleState _scheduleState = new();
    private readonly DeterministicRandom _random;
    private readonly TrainingCounters _counters = new();

    private RecurrentState? _carried;          // [L, B, H] training lanes
    private float[] _pendingHidden = [];       // carried state restored before the lane count was known
    private float[] _pendingCell = [];
    private RecurrentState? _evaluationState;  // lanes of the last evaluated dataset
    private TrainingState? _goodState;         // roll-back snapshot, buffers reused
    private long _clock;                       // Stopwatch timestamp of the last elapsed-time update
    private long _sessionStartStep;
    private long _sessionStartTicks;
    private long _stepReportClock;
    private long _stepReportTokens;
    private long _evaluationReportClock;
    private long _evaluationReportTokens;
    private string _divergedQuantity = string.Empty;
    private bool _gradientsZeroed;             // the last optimizer step zeroed the gradients and nothing ran since

    /// <summary>Creates a trainer for a model.</summary>
    /// <param name="model">The model to train; its parameters are updated in place.</param>
    /// <param name="options">The training options (validated here).</param>
    /// <param name="logger">Where to log (structured, event ids 6001–6010); null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public Trainer(IRecurrentModel model, TrainerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _optimizerState = options.Optimizer.CreateState(model.ParameterCount);
        _random = new DeterministicRandom(options.Seed);
    }

    /// <summary>
    /// Raised synchronously after every evaluation (epoch ends and every <see cref="TrainerOptions.EvaluationInterval"/>
    /// steps), between steps, so a handler may read the model — for example sample text from it. Handlers must not
    /// change the parameters. Exceptions from handlers propagate out of <see cref="Fit"/>.
    /// </summary>
    public event EventHandler<TrainingProgress>? Evaluated;

    /// <summary>Gets the model being trained.</summary>
    public IRecurrentModel Model => _model;

    /// <summary>Gets the options.</summary>
    public TrainerOptions Options => _options;

    /// <summary>Gets the number of optimizer steps taken so far.</summary>
    public long Step => _counters.Step;

    /// <summary>Gets the current epoch (0-based).</summary>
    public int Epoch => _counters.Epoch;

    /// <summary>
    /// Trains until the budget is reached, early stopping triggers, or <paramref name="cancellationToken"/> is
    /// cancelled, continuing from the trainer's current state.
    /// </summary>
    /// <param name="training">The training data.</param>
    /// <param name="validation">Validation data for evaluations, early stopping and the loss-driven schedules; optional.</param>
    /// <param name="progress">Receives step reports and evaluation reports; optional.</param>
    /// <param name="cancellationToken">
    /// Stops training cleanly between steps: the state after the last completed step is kept (and handed to
    /// <see cref="TrainerOptions.CheckpointWriter"/> when set), then <see cref="OperationCanceledException"/> is thrown.
    /// </param>
    /// <returns>Why training stopped, with the final counters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="training"/> is null.</exception>
    /// <exception cref="ArgumentException">The data has no batches, or early stopping is on without validation data.</exception>
    /// <exception cref="InvalidOperationException">A restored carried state does not fit the data's lane count.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (this is how cancellation is reported).</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient was not finite and the divergence policy gave up.</exception>
    public TrainingResult Fit(ITokenDataset training, ITokenDataset? validation = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        int batches = training.BatchesPerEpoch;
        if (batches < 1)
        {
            throw new ArgumentException("The training data has no batches.", nameof(training));
        }

        if (_options.EarlyStoppingPatience > 0 && validation is null)
        {
            throw new ArgumentException("Early stopping needs validation data.", nameof(validation));
        }

        PrepareCarriedState(training);
        _gradientsZeroed = false;
        long planned = PlannedSteps(training);
        TrainingCounters c = _counters;
        _clock = Stopwatch.GetTimestamp();
        _sessionStartStep = c.Step;
        _sessionStartTicks = c.ElapsedTicks;
        _stepReportClock = _evaluationReportClock = _clock;
        _stepReportTokens = _evaluationReportTokens = c.Tokens;
        TrainerLog.TrainingStarted(_logger, _model.ParameterCount, _options.Optimizer.Name, planned, c.Epoch, c.Step);
        TakeSnapshot();

        var reason = TrainingStopReason.BudgetReached;
        TrainingProgress? lastEvaluation = null;
        long lastEvaluationStep = -1;
        try
        {
            while (!BudgetReached())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (c.BatchIndex >= batches)
                {
                    if (!EndEpoch(validation, batches, planned, progress, ref lastEvaluation, cancellationToken, out bool stopEarly))
                    {
                        continue; // diverged and rolled back
                    }

                    lastEvaluationStep = c.Step;
                    if (stopEarly)
                    {
                        reason = TrainingStopReason.EarlyStopping;
                        break;
                    }

                    continue;
                }

                bool restart = false;
                bool stop = false;
                foreach (Batch batch in training.GetBatches(c.Epoch, c.BatchIndex))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    StepOutcome outcome = TrainStep(batch, training.CarriesState, planned);
                    if (outcome == StepOutcome.Diverged)
                    {
                        RollBack(_divergedQuantity);
                        restart = true;
                        break;
                    }

                    c.BatchIndex++;
                    if (outcome == StepOutcome.Trained)
                    {
                        AfterStep(batches, planned, progress);
                        if (_options.EvaluationInterval > 0 && c.Step % _options.EvaluationInterval == 0 && c.BatchIndex < batches)
                        {
                            if (!EvaluateWithinEpoch(validation, batches, planned, progress, ref lastEvaluation, cancellationToken, out stop))
                            {
                                restart = true;
                                break;
                            }

                            lastEvaluationStep = c.Step;
                        }

                        if (_options.CheckpointWriter is not null && _options.CheckpointInterval > 0 && c.Step % _options.CheckpointInterval == 0)
                        {
                            WriteCheckpoint();
                        }
                    }

                    if (stop || c.BatchIndex >= batches || BudgetReached())
                    {
                        break;
                    }
                }

                if (stop)
                {
                    reason = TrainingStopReason.EarlyStopping;
                    break;
                }

                if (!restart && c.BatchIndex < batches && !BudgetReached())
                {
                    c.BatchIndex = batches; // the dataset yielded fewer batches than it announced: the epoch is over
                }
            }

            if (reason == TrainingStopReason.BudgetReached && lastEvaluationStep != c.Step && c.Step > _sessionStartStep)
            {
                // A budget that ends mid-epoch gets one more report-only evaluation; it changes no state.
                lastEvaluation = FinalEvaluation(validation, batches, planned, progress, cancellationToken);
            }

            if (_options.CheckpointWriter is not null)
            {
                WriteCheckpoint();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            UpdateClock();
            TrainerLog.Cancelled(_logger, c.Epoch, c.Step);
            if (_options.CheckpointWriter is not null)
            {
                WriteCheckpoint();
            }

            throw;
        }

        UpdateClock();
        var elapsed = new TimeSpan(c.ElapsedTicks);
        TrainerLog.Completed(_logger, reason, c.Epoch, c.Step, elapsed);
        return new TrainingResult
        {
            StopReason = reason,
            Steps = c.Step,
            Tokens = c.Tokens,
            Epochs = c.Epoch,
            LastEvaluation = lastEvaluation,
            BestValidationLoss = c.BestValidationLoss,
            Divergences = c.Divergences,
        };
    }

    /// <summary>
    /// Computes the summed loss of the model over a dataset in evaluation mode (no dropout, nothing cached),
    /// token-weighted with padding excluded. Stream data carries the state between windows as in training.
    /// </summary>
    /// <param name="data">The data to evaluate on (its epoch-0 batch order is used).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The summed loss and the number of real tokens; <see cref="LossSum.Mean"/> is the cross-entropy in nats.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public LossSum Evaluate(ITokenDataset data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_evaluationState is null || _evaluationState.BatchSize != data.BatchSize)
        {
            _evaluationState = _model.CreateState(data.BatchSize);
        }

        RecurrentState state = _evaluationState;
        state.Reset();
        LossSum total = default;
        foreach (Batch batch in data.GetBatches(0))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!data.CarriesState || batch.ResetState)
            {
                state.Reset();
            }

            total += _model.Forward(batch.Inputs, batch.Targets, batch.Mask, state, ForwardMode.Evaluate);
        }

        return total;
    }

    /// <summary>Copies the whole run state (weights included) into a new, independent object.</summary>
    /// <returns>A state that <see cref="RestoreState"/> (on this or another trainer of the same shape) continues from.</returns>
    public TrainingState CaptureState()
    {
        UpdateClock();
        var state = new TrainingState(
            _model.Options, new float[_model.ParameterCount], _optimizerState.Clone(), new ScheduleState(), new ulong[4],
            new float[CarriedLength(hidden: true)], new float[CarriedLength(hidden: false)], new TrainingCounters());
        CaptureInto(state);
        return state;
    }

    /// <summary>Replaces the run state (weights included) with a captured or loaded one.</summary>
    /// <param name="state">The state to continue from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The state belongs to another model shape or optimizer.</exception>
    public void RestoreState(TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.ModelOptions.HasSameLayout(_model.Options))
        {
            throw new ArgumentException(
                $"The state belongs to a model of shape {state.ModelOptions.LayoutText()}; this model has {_model.Options.LayoutText()}.", nameof(state));
        }

        if (state.Parameters.Length != _model.ParameterCount)
        {
            throw new ArgumentException($"The state has {state.Parameters.Length} parameters; the model has {_model.ParameterCount}.", nameof(state));
        }

        _options.Optimizer.ValidateState(state.Optimizer, _model.ParameterCount);
        state.Parameters.AsSpan().CopyTo(_model.Parameters);
        state.Optimizer.CopyTo(_optimizerState);
        state.Schedule.CopyTo(_scheduleState);
        _random.SetState(state.RandomState);
        state.Counters.CopyTo(_counters);
        if (_carried is not null && _carried.AllHidden.Length == state.CarriedHidden.Length && _carried.AllCell.Length == state.CarriedCell.Length)
        {
            state.CarriedHidden.AsSpan().CopyTo(_carried.AllHidden);
            state.CarriedCell.AsSpan().CopyTo(_carried.AllCell);
            _pendingHidden = [];
            _pendingCell = [];
        }
        else
        {
            _carried = null;
            _pendingHidden = (float[])state.CarriedHidden.Clone();
            _pendingCell = (float[])state.CarriedCell.Clone();
        }

        _goodState = null;
        TrainerLog.StateRestored(_logger, state.Epoch, state.BatchIndex, state.Step);
    }

    // Hands the current run state to the configured checkpoint writer (Serialization's Checkpoint, or the caller's own).
    private void WriteCheckpoint()
    {
        TrainingState state = CaptureState();
        _options.CheckpointWriter!(state);
        TrainerLog.CheckpointWritten(_logger, state.Epoch, state.Step);
    }

    /// <summary>Gets the learning rate the next step would use.</summary>
    internal double NextLearningRate(long plannedSteps) =>
        _options.Schedule.GetLearningRate(_options.LearningRate, new ScheduleContext(_counters.Step, _counters.Epoch, plannedSteps), _scheduleState)
        * _counters.LearningRateScale;

    /// <summary>Gets the schedule's memory (tests).</summary>
    internal ScheduleState ScheduleState => _scheduleState;

    /// <summary>Gets the optimizer state (tests).</summary>
    internal OptimizerState OptimizerState => _optimizerState;

    /// <summary>Gets the run counters (tests and checkpoints).</summary>
    internal TrainingCounters Counters => _counters;

    // One training step on one window: forward, backward, normalise, clip, update. Allocates nothing.
    private StepOutcome TrainStep(Batch batch, bool carriesState, long planned)
    {
        if (batch.TokenCount == 0)
        {
            return StepOutcome.Skipped;
        }

        RecurrentState state = _carried!;
        if (!carriesState || batch.ResetState)
        {
            state.Reset();
        }

        // The previous step's optimizer pass zeroed the gradients (the model's ZeroGradients contract) unless user
        // code ran in between; then this step need not write the buffer again.
        if (!_gradientsZeroed)
        {
            _model.ZeroGradients();
        }

        _gradientsZeroed = false;
        LossSum loss = _model.Forward(batch.Inputs, batch.Targets, batch.Mask, state, ForwardMode.Train, _random);
        if (!double.IsFinite(loss.Sum))
        {
            _divergedQuantity = "loss";
            return StepOutcome.Diverged;
        }

        _model.Backward();
        Span<float> gradients = _model.Gradients;
        double scale = _options.LossNormalization switch
        {
            LossNormalization.MeanPerToken => 1.0 / loss.Count,
            LossNormalization.SumPerSequence => 1.0 / batch.BatchSize,
            _ => 1.0,
        };

        double norm = GlobalNorm(gradients) * scale;
        if (!double.IsFinite(norm))
        {
            _divergedQuantity = "gradient";
            return StepOutcome.Diverged;
        }

        // clip_grad_norm_ semantics: scale by max/(norm + 1e-6) when the norm exceeds the bound.
        double factor = scale;
        if (_options.MaxGradientNorm > 0f && norm > _options.MaxGradientNorm)
        {
            factor *= _options.MaxGradientNorm / (norm + 1e-6);
        }

        // The optimizer multiplies each gradient by the factor as it reads it and zeroes it in the same pass (bitwise
        // the same update as scaling the buffer first); an element-wise clip needs the scaled buffer first.
        float gradientScale = (float)factor;
        if (!float.IsFinite(gradientScale))
        {
            _divergedQuantity = "gradient";
            return StepOutcome.Diverged;
        }

        float clip = _options.GradientClipValue;
        if (clip > 0f)
        {
            if (factor != 1.0)
            {
                TensorPrimitives.Multiply(gradients, gradientScale, gradients);
            }

            TensorPrimitives.Min(gradients, clip, gradients);
            TensorPrimitives.Max(gradients, -clip, gradients);
            gradientScale = 1f;
        }

        TrainingCounters c = _counters;
        double lr = NextLearningRate(planned);
        _options.Optimizer.Step(_optimizerState, _model.Parameters, gradients, (float)lr, gradientScale, clearGradients: true);
        _gradientsZeroed = true;
        c.Step++;
        c.Tokens += batch.TokenCount;
        c.ReportLossSum += loss.Sum;
        c.ReportTokens += loss.Count;
        c.EvaluationLossSum += loss.Sum;
        c.EvaluationTokens += loss.Count;
        c.EpochLossSum += loss.Sum;
        c.EpochTokens += loss.Count;
        c.LastLearningRate = lr;
        c.LastGradientNorm = norm;
        return StepOutcome.Trained;
    }

    // The L2 norm of the gradient (chunked, over the worker pool); when a chunk's float sum overflows, decides in double
    // whether it is truly infinite.
    private static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        double norm = Math.Sqrt(Kernels.SumOfSquares(gradients));
        if (double.IsFinite(norm))
        {
            return norm;
        }

        double sum = 0;
        foreach (float g in gradients)
        {
            if (!float.IsFinite(g))
            {
                return double.NaN;
            }

            sum += (double)g * g;
        }

        return Math.Sqrt(sum);
    }

    private void AfterStep(int batches, long planned, IProgress<TrainingProgress>? progress)
    {
        TrainingCounters c = _counters;
        if (_options.ProgressInterval <= 0 || c.Step % _options.ProgressInterval != 0)
        {
            return;
        }

        UpdateClock();
        long now = _clock;
        double trainingLoss = c.ReportTokens > 0 ? c.ReportLossSum / c.ReportTokens : double.NaN;
        double tokensPerSecond = Rate(c.Tokens - _stepReportTokens, _stepReportClock, now);
        c.ReportLossSum = 0;
        c.ReportTokens = 0;
        _stepReportClock = now;
        _stepReportTokens = c.Tokens;
        TrainerLog.Step(_logger, c.Epoch, c.Step, trainingLoss, c.LastLearningRate, c.LastGradientNorm, tokensPerSecond);
        progress?.Report(MakeProgress(TrainingEventKind.Step, batches, planned, trainingLoss, double.NaN, tokensPerSecond));
        _gradientsZeroed = false; // user code ran
    }

    // The end of an epoch: evaluate, feed the schedule, early stopping, advance the position, snapshot, report, checkpoint.
    // Returns false when the evaluation diverged and the run was rolled back.
    private bool EndEpoch(
        ITokenDataset? validation, int batches, long planned, IProgress<TrainingProgress>? progress,
        ref TrainingProgress? lastEvaluation, CancellationToken cancellationToken, out bool stopEarly)
    {
        stopEarly = false;
        TrainingCounters c = _counters;
        double validationLoss = validation is null ? double.NaN : Evaluate(validation, cancellationToken).Mean;
        if (validation is not null && !double.IsFinite(validationLoss))
        {
            RollBack("validation loss");
            return false;
        }

        double epochLoss = c.EpochTokens > 0 ? c.EpochLossSum / c.EpochTokens : double.NaN;
        double monitored = validation is null ? epochLoss : validationLoss;
        if (double.IsFinite(monitored) && _options.Schedule.OnEpochEnd(c.Epoch, monitored, _scheduleState))
        {
            TrainerLog.LearningRateReduced(_logger, _options.Schedule.GetType().Name, c.Epoch, monitored, _scheduleState.Factor);
        }

        if (validation is not null)
        {
            stopEarly = TrackValidation(validationLoss);
        }

        TrainingProgress report = EvaluationReport(TrainingEventKind.EpochEnd, batches, planned, validationLoss);
        c.EpochLossSum = 0;
        c.EpochTokens = 0;
        c.Epoch++;
        c.BatchIndex = 0;
        c.ConsecutiveDivergences = 0;
        TakeSnapshot();
        Publish(report, progress);
        lastEvaluation = report;
        if (stopEarly)
        {
            TrainerLog.EarlyStopping(_logger, c.Epoch, c.Step, c.EvaluationsWithoutImprovement, c.BestValidationLoss);
        }

        if (_options.CheckpointWriter is not null && !BudgetReached() && !stopEarly)
        {
            WriteCheckpoint(); // the final one is written by Fit
        }

        return true;
    }

    // An evaluation inside an epoch (every EvaluationInterval steps). Returns false after a roll-back.
    private bool EvaluateWithinEpoch(
        ITokenDataset? validation, int batches, long planned, IProgress<TrainingProgress>? progress,
        ref TrainingProgress? lastEvaluation, CancellationToken cancellationToken, out bool stopEarly)
    {
        stopEarly = false;
        double validationLoss = validation is null ? double.NaN : Evaluate(validation, cancellationToken).Mean;
        if (validation is not null && !double.IsFinite(validationLoss))
        {
            RollBack("validation loss");
            return false;
        }

        if (validation is not null)
        {
            stopEarly = TrackValidation(validationLoss);
        }

        TrainingProgress report = EvaluationReport(TrainingEventKind.Evaluation, batches, planned, validationLoss);
        _counters.ConsecutiveDivergences = 0;
        TakeSnapshot();
        Publish(report, progress);
        lastEvaluation = report;
        if (stopEarly)
        {
            TrainerLog.EarlyStopping(_logger, _counters.Epoch, _counters.Step, _counters.EvaluationsWithoutImprovement, _counters.BestValidationLoss);
        }
        else if (_options.CheckpointWriter is not null && _options.CheckpointInterval == 0)
        {
            WriteCheckpoint();
        }

        return true;
    }

    // The report-only evaluation when the budget ends between evaluations: it touches no run state.
    private TrainingProgress FinalEvaluation(ITokenDataset? validation, int batches, long planned, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        double validationLoss = validation is null ? double.NaN : Evaluate(validation, cancellationToken).Mean;
        TrainingCounters c = _counters;
        UpdateClock();
        double trainingLoss = c.EvaluationTokens > 0 ? c.EvaluationLossSum / c.EvaluationTokens : double.NaN;
        TrainingProgress report = MakeProgress(TrainingEventKind.Evaluation, batches, planned, trainingLoss, validationLoss, Rate(c.Tokens - _evaluationReportTokens, _evaluationReportClock, _clock));
        Publish(report, progress);
        return report;
    }

    // Updates the best validation loss and the early-stopping counter; true when patience ran out.
    private bool TrackValidation(double validationLoss)
    {
        TrainingCounters c = _counters;
        if (double.IsNaN(c.BestValidationLoss) || validationLoss < c.BestValidationLoss - _options.EarlyStoppingMinDelta)
        {
            c.EvaluationsWithoutImprovement = 0;
        }
        else
        {
            c.EvaluationsWithoutImprovement++;
        }

        if (double.IsNaN(c.BestValidationLoss) || validationLoss < c.BestValidationLoss)
        {
            c.BestValidationLoss = validationLoss;
        }

        return _options.EarlyStoppingPatience > 0 && c.EvaluationsWithoutImprovement >= _options.EarlyStoppingPatience;
    }

    // Builds an evaluation report and resets the evaluation window.
    private TrainingProgress EvaluationReport(TrainingEventKind kind, int batches, long planned, double validationLoss)
    {
        TrainingCounters c = _counters;
        UpdateClock();
        double trainingLoss = c.EvaluationTokens > 0 ? c.EvaluationLossSum / c.EvaluationTokens : double.NaN;
        double tokensPerSecond = Rate(c.Tokens - _evaluationReportTokens, _evaluationReportClock, _clock);
        TrainingProgress report = MakeProgress(kind, batches, planned, trainingLoss, validationLoss, tokensPerSecond);
        c.EvaluationLossSum = 0;
        c.EvaluationTokens = 0;
        _evaluationReportClock = _clock;
        _evaluationReportTokens = c.Tokens;
        return report;
    }

    private void Publish(TrainingProgress report, IProgress<TrainingProgress>? progress)
    {
        TrainerLog.Evaluation(_logger, report.Epoch, report.Step, report.TrainingLoss, report.ValidationLoss, report.ValidationPerplexity, report.LearningRate);
        progress?.Report(report);
        Evaluated?.Invoke(this, report);
        _gradientsZeroed = false; // user code ran
    }

    private TrainingProgress MakeProgress(TrainingEventKind kind, int batches, long planned, double trainingLoss, double validationLoss, double tokensPerSecond)
    {
        TrainingCounters c = _counters;
        long sessionSteps = c.Step - _sessionStartStep;
        long sessionTicks = c.ElapsedTicks - _sessionStartTicks;
        TimeSpan? remaining = sessionSteps > 0 && planned < long.MaxValue
            ? TimeSpan.FromTicks((long)((double)sessionTicks / sessionSteps * Math.Max(0, planned - c.Step)))
            : null;
        return new TrainingProgress
        {
            Kind = kind,
            Epoch = c.Epoch,
            BatchIndex = c.BatchIndex,
            BatchesPerEpoch = batches,
            Step = c.Step,
            Tokens = c.Tokens,
            TrainingLoss = trainingLoss,
            ValidationLoss = validationLoss,
            BestValidationLoss = c.BestValidationLoss,
            LearningRate = c.LastLearningRate,
            GradientNorm = c.LastGradientNorm,
            TokensPerSecond = tokensPerSecond,
            Elapsed = TimeSpan.FromTicks(c.ElapsedTicks),
            EstimatedRemaining = remaining,
        };
    }

    private static double Rate(long tokens, long fromTimestamp, long toTimestamp)
    {
        double seconds = Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp).TotalSeconds;
        return seconds > 0 ? tokens / seconds : double.NaN;
    }

    private void UpdateClock()
    {
        long now = Stopwatch.GetTimestamp();
        if (_clock != 0)
        {
            _counters.ElapsedTicks += Stopwatch.GetElapsedTime(_clock, now).Ticks;
        }

        _clock = now;
    }

    private bool BudgetReached()
    {
        TrainingCounters c = _counters;
        return (_options.Epochs > 0 && c.Epoch >= _options.Epochs)
            || (_options.MaxSteps > 0 && c.Step >= _options.MaxSteps)
            || (_options.MaxTokens > 0 && c.Tokens >= _options.MaxTokens);
    }

    private long PlannedSteps(ITokenDataset training)
    {
        long planned = long.MaxValue;
        int batches = training.BatchesPerEpoch;
        if (_options.Epochs > 0)
        {
            planned = Math.Min(planned, (long)_options.Epochs * batches);
        }

        if (_options.MaxSteps > 0)
        {
            planned = Math.Min(planned, _options.MaxSteps);
        }

        if (_options.MaxTokens > 0 && training.TokensPerEpoch > 0)
        {
            double tokensPerBatch = (double)training.TokensPerEpoch / batches;
            planned = Math.Min(planned, (long)Math.Ceiling(_options.MaxTokens / tokensPerBatch));
        }

        return planned;
    }

    private void PrepareCarriedState(ITokenDataset training)
    {
        if (_carried is not null && _carried.BatchSize == training.BatchSize)
        {
            return;
        }

        _carried = _model.CreateState(training.BatchSize);
        if (_pendingHidden.Length > 0 || _pendingCell.Length > 0)
        {
            if (_pendingHidden.Length == _carried.AllHidden.Length && _pendingCell.Length == _carried.AllCell.Length)
            {
                _pendingHidden.AsSpan().CopyTo(_carried.AllHidden);
                _pendingCell.AsSpan().CopyTo(_carried.AllCell);
            }
            else if (training.CarriesState && _counters.BatchIndex > 0)
            {
                throw new InvalidOperationException(
                    $"The restored state carries {_pendingHidden.Length} hidden values, which does not fit {training.BatchSize} lanes of this model; resume with the same batch size.");
            }

            _pendingHidden = [];
            _pendingCell = [];
        }
    }

    private int CarriedLength(bool hidden) =>
        _carried is not null ? (hidden ? _carried.AllHidden.Length : _carried.AllCell.Length) : (hidden ? _pendingHidden.Length : _pendingCell.Length);

    // Copies the run state into an existing object with buffers of the right size.
    private void CaptureInto(TrainingState state)
    {
        _model.Parameters.CopyTo(state.Parameters);
        _optimizerState.CopyTo(state.Optimizer);
        _scheduleState.CopyTo(state.Schedule);
        _random.GetState().AsSpan().CopyTo(state.RandomState);
        if (_carried is not null)
        {
            _carried.AllHidden.CopyTo(state.CarriedHidden);
            _carried.AllCell.CopyTo(state.CarriedCell);
        }
        else
        {
            _pendingHidden.AsSpan().CopyTo(state.CarriedHidden);
            _pendingCell.AsSpan().CopyTo(state.CarriedCell);
        }

        _counters.CopyTo(state.Counters);
    }

    // Keeps an in-memory copy of the current (good) state for roll-backs, reusing its buffers.
    private void TakeSnapshot()
    {
        if (_options.DivergencePolicy != DivergencePolicy.RollBackAndHalve)
        {
            return;
        }

        if (_goodState is null
            || _goodState.CarriedHidden.Length != CarriedLength(hidden: true)
            || _goodState.CarriedCell.Length != CarriedLength(hidden: false))
        {
            _goodState = CaptureState();
            return;
        }

        UpdateClock();
        CaptureInto(_goodState);
    }

    // Handles a non-finite loss or gradient by the configured policy.
    private void RollBack(string quantity)
    {
        TrainingCounters c = _counters;
        long failedStep = c.Step + 1;
        if (_options.DivergencePolicy == DivergencePolicy.Throw || _goodState is null)
        {
            throw new TrainingDivergedException($"Training diverged: non-finite {quantity} at step {failedStep} (epoch {c.Epoch}, batch {c.BatchIndex}).") { Step = failedStep };
        }

        if (c.ConsecutiveDivergences >= _options.MaxDivergenceRetries)
        {
            throw new TrainingDivergedException(
                $"Training diverged: non-finite {quantity} at step {failedStep} (epoch {c.Epoch}, batch {c.BatchIndex}) after {c.ConsecutiveDivergences} roll-backs with a halved learning rate.")
            { Step = failedStep };
        }

        UpdateClock();
        double scale = c.LearningRateScale * 0.5;
        int divergences = c.Divergences + 1;
        int consecutive = c.ConsecutiveDivergences + 1;
        long elapsed = c.ElapsedTicks;
        _goodState.Parameters.AsSpan().CopyTo(_model.Parameters);
        _goodState.Optimizer.CopyTo(_optimizerState);
        _goodState.Schedule.CopyTo(_scheduleState);
        _random.SetState(_goodState.RandomState);
        _goodState.Counters.CopyTo(c);
        if (_carried is not null && _carried.AllHidden.Length == _goodState.CarriedHidden.Length && _carried.AllCell.Length == _goodState.CarriedCell.Length)
        {
            _goodState.CarriedHidden.AsSpan().CopyTo(_carried.AllHidden);
            _goodState.CarriedCell.AsSpan().CopyTo(_carried.AllCell);
        }

        c.LearningRateScale = scale;
        c.Divergences = divergences;
        c.ConsecutiveDivergences = consecutive;
        c.ElapsedTicks = elapsed;
        TrainerLog.Diverged(_logger, quantity, failedStep, c.Step, scale, consecutive, _options.MaxDivergenceRetries);
    }

    private enum StepOutcome
    {
        Trained,
        Skipped,
        Diverged,
    }
}
