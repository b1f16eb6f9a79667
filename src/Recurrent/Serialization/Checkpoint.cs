using System.Globalization;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Serialization;

/// <summary>
/// A training checkpoint: a <see cref="ModelFile"/> (weights, model options, vocabulary, tokenizer) with the run
/// state of a <see cref="Trainer"/> (<see cref="TrainingState"/>: optimizer moments, schedule memory, random state,
/// carried hidden state, data position, counters) added as extra tensors and metadata. Resuming from it gives the
/// same trajectory, bit for bit, as a run that never stopped.
/// </summary>
/// <remarks>
/// <para>
/// Because a checkpoint is a model file, <see cref="ModelFile.Load"/> opens it and gives its model; the Python
/// <c>safetensors</c> package reads it too (the training-state tensors are named <c>optimizer.*</c> and
/// <c>trainer.*</c>, apart from the model's <c>state_dict</c> names). The layout is in <c>docs/file-format.md</c>.
/// </para>
/// <para>
/// The trainer writes checkpoints through <see cref="TrainerOptions.CheckpointWriter"/>:
/// <c>CheckpointWriter = state =&gt; Checkpoint.Save(path, state, model, vocabulary, tokenizer)</c>.
/// To resume: <c>trainer.RestoreState(Checkpoint.Load(path).State)</c>. Saving is atomic (temporary file, flush,
/// rename), so an interrupted write never replaces a good checkpoint; loading validates everything before trusting
/// it and reports a bad file as an <see cref="InvalidDataException"/>.
/// </para>
/// </remarks>
public sealed class Checkpoint
{
    /// <summary>The checkpoint format version this library writes and reads (the <c>recurrent.checkpoint.version</c> key).</summary>
    public const int FormatVersion = 1;

    /// <summary>The metadata key whose presence marks a model file as a checkpoint.</summary>
    internal const string VersionKey = Prefix + "version";

    private const string Prefix = "recurrent.checkpoint.";
    private const string ReservedPrefix = "recurrent.";
    private const string OptimizerPrefix = "optimizer.";
    private const string RandomTensor = "trainer.random_state";
    private const string HiddenTensor = "trainer.carried_hidden";
    private const string CellTensor = "trainer.carried_cell";

    private readonly ModelFile _file;

    private Checkpoint(ModelFile file, TrainingState state)
    {
        _file = file;
        State = state;
    }

    /// <summary>Gets the model, with the checkpoint's weights.</summary>
    public IRecurrentModel Model => _file.Model;

    /// <summary>Gets the run state to continue from with <see cref="Trainer.RestoreState"/>.</summary>
    public TrainingState State { get; }

    /// <summary>Gets the vocabulary saved with the checkpoint, or null when none was saved.</summary>
    public Vocabulary? Vocabulary => _file.Vocabulary;

    /// <summary>Gets the tokenizer saved with the checkpoint, or null when none was saved.</summary>
    public ITokenizer? Tokenizer => _file.Tokenizer;

    /// <summary>Gets every metadata entry of the file: the library's (<c>recurrent.*</c>) and the caller's.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    /// <summary>Saves a run state with its model (and optionally the vocabulary, tokenizer and caller metadata) atomically.</summary>
    /// <param name="path">The destination; an existing file is replaced only once the new one is complete on disk.</param>
    /// <param name="state">The run state (from <see cref="Trainer.CaptureState"/> or a checkpoint writer); its weights are the ones written.</param>
    /// <param name="model">The model the state belongs to: it gives the options and the tensor names.</param>
    /// <param name="vocabulary">The vocabulary (its size must be the model's vocabulary size), or null.</param>
    /// <param name="tokenizer">The tokenizer, or null.</param>
    /// <param name="metadata">Extra string metadata (for example the command line that started the run), or null; keys starting with <c>recurrent.</c> are reserved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, the state belongs to another model shape, the vocabulary's size differs from the
    /// model's, or a metadata key is reserved.
    /// </exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(
        string path, TrainingState state, IRecurrentModel model, Vocabulary? vocabulary = null, ITokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CreateWriter(state, model, vocabulary, tokenizer, metadata).Save(path);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model, the run state, and what was saved with them.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is corrupt or truncated, is not a model file, is a model file without training state, or its
    /// training state does not fit its model.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return Read(reader);
    }

    /// <summary>The exact bytes <see cref="Save"/> writes (tests).</summary>
    internal static byte[] ToBytes(
        TrainingState state, IRecurrentModel model, Vocabulary? vocabulary = null, ITokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        CreateWriter(state, model, vocabulary, tokenizer, metadata).ToArray();

    /// <summary>Decodes checkpoint bytes (tests).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid checkpoint.</exception>
    internal static Checkpoint FromBytes(byte[] bytes)
    {
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(bytes);
        return Read(reader);
    }

    /// <summary>Gets whether a tensor name belongs to a checkpoint's training state rather than to the model.</summary>
    internal static bool IsTrainingStateTensor(string name) =>
        name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) || name is RandomTensor or HiddenTensor or CellTensor;

    private static SafeTensorsWriter CreateWriter(
        TrainingState state, IRecurrentModel model, Vocabulary? vocabulary, ITokenizer? tokenizer, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(model);
        if (!state.ModelOptions.HasSameLayout(model.Options) || state.Parameters.Length != model.ParameterCount)
        {
            throw new ArgumentException(
                $"The state belongs to a model of shape {state.ModelOptions.LayoutText()} ({state.Parameters.Length} parameters); this model has {model.Options.LayoutText()} ({model.ParameterCount}).",
                nameof(state));
        }

        if (state.Optimizer.ParameterCount != model.ParameterCount)
        {
            throw new ArgumentException($"The optimizer state covers {state.Optimizer.ParameterCount} parameters; the model has {model.ParameterCount}.", nameof(state));
        }

        // The model file part: options, text settings and the state's weights under the model's tensor names.
        SafeTensorsWriter writer = ModelFile.CreateWriter(model, state.Parameters, vocabulary, tokenizer);
        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata)
            {
                if (key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Metadata key '{key}' is reserved (keys starting with '{ReservedPrefix}' belong to the library).", nameof(metadata));
                }

                writer.AddMetadata(key, value);
            }
        }

        // The training state.
        foreach ((string name, float[] buffer) in state.Optimizer.Buffers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Add(OptimizerPrefix + name, buffer, buffer.Length);
        }

        long[] random = [.. state.RandomState.Select(w => unchecked((long)w))];
        writer.Add(RandomTensor, random, random.Length);
        writer.Add(HiddenTensor, state.CarriedHidden, state.CarriedHidden.Length);
        writer.Add(CellTensor, state.CarriedCell, state.CarriedCell.Length);

        TrainingCounters c = state.Counters;
        ScheduleState s = state.Schedule;
        Put(writer, "version", FormatVersion);
        Put(writer, "optimizer", state.Optimizer.OptimizerName);
        Put(writer, "optimizer.step_count", state.Optimizer.StepCount);
        Put(writer, "schedule.factor", s.Factor);
        Put(writer, "schedule.reference_loss", s.ReferenceLoss);
        Put(writer, "schedule.bad_epochs", s.BadEpochs);
        Put(writer, "schedule.reductions", s.Reductions);
        Put(writer, "epoch", c.Epoch);
        Put(writer, "batch_index", c.BatchIndex);
        Put(writer, "step", c.Step);
        Put(writer, "tokens", c.Tokens);
        Put(writer, "learning_rate_scale", c.LearningRateScale);
        Put(writer, "best_validation_loss", c.BestValidationLoss);
        Put(writer, "evaluations_without_improvement", c.EvaluationsWithoutImprovement);
        Put(writer, "divergences", c.Divergences);
        Put(writer, "consecutive_divergences", c.ConsecutiveDivergences);
        Put(writer, "report_loss_sum", c.ReportLossSum);
        Put(writer, "report_tokens", c.ReportTokens);
        Put(writer, "evaluation_loss_sum", c.EvaluationLossSum);
        Put(writer, "evaluation_tokens", c.EvaluationTokens);
        Put(writer, "epoch_loss_sum", c.EpochLossSum);
        Put(writer, "epoch_tokens", c.EpochTokens);
        Put(writer, "last_learning_rate", c.LastLearningRate);
        Put(writer, "last_gradient_norm", c.LastGradientNorm);
        Put(writer, "elapsed_ticks", c.ElapsedTicks);
        return writer;
    }

    private static Checkpoint Read(SafeTensorsReader reader)
    {
        // The model file part first: format, options, vocabulary, tokenizer and every weight are validated there.
        ModelFile file = ModelFile.Read(reader, ModelFileLoadOptions.Strict, IsTrainingStateTensor);
        IReadOnlyDictionary<string, string> metadata = reader.Metadata;
        if (!metadata.TryGetValue(VersionKey, out string? version))
        {
            throw Bad($"the file is a model file without training state (no metadata key '{VersionKey}'); open it with ModelFile.Load");
        }

        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw Bad($"the checkpoint version '{version}' (metadata key '{VersionKey}') is not supported; this library reads version {FormatVersion}");
        }

        IRecurrentModel model = file.Model;
        int parameterCount = model.ParameterCount;
        var buffers = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (SafeTensorInfo info in reader.Tensors)
        {
            if (info.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                RequireVector(reader, info.Name, SafeTensorDType.F32, parameterCount);
                buffers.Add(info.Name[OptimizerPrefix.Length..], reader.ReadSingle(info.Name));
            }
        }

        long stepCount = Long(metadata, "optimizer.step_count");
        if (stepCount < 0)
        {
            throw Bad($"the optimizer step count (metadata key '{Prefix}optimizer.step_count') is negative");
        }

        var optimizer = new OptimizerState(Meta(metadata, "optimizer"), parameterCount, stepCount, buffers);

        RequireVector(reader, RandomTensor, SafeTensorDType.I64, 4);
        ulong[] random = [.. reader.ReadInt64(RandomTensor).Select(w => unchecked((ulong)w))];
        if ((random[0] | random[1] | random[2] | random[3]) == 0)
        {
            throw Bad($"the random state (tensor '{RandomTensor}') is all zero");
        }

        // Carried state [L, B, H] for some lane count B; the cell state is empty or as long as the hidden state.
        long perLane = (long)model.Options.Layers * model.Options.HiddenSize;
        RequireVector(reader, HiddenTensor, SafeTensorDType.F32, expected: -1);
        RequireVector(reader, CellTensor, SafeTensorDType.F32, expected: -1);
        long hiddenLength = reader.Get(HiddenTensor).Shape[0];
        long cellLength = reader.Get(CellTensor).Shape[0];
        if (hiddenLength % perLane != 0 || (cellLength != 0 && cellLength != hiddenLength))
        {
            throw Bad($"the carried state (tensors '{HiddenTensor}' [{hiddenLength}], '{CellTensor}' [{cellLength}]) does not fit {model.Options.Layers} layer(s) of {model.Options.HiddenSize} units");
        }

        var schedule = new ScheduleState
        {
            Factor = Double(metadata, "schedule.factor"),
            ReferenceLoss = Double(metadata, "schedule.reference_loss"),
            BadEpochs = Int(metadata, "schedule.bad_epochs"),
            Reductions = Int(metadata, "schedule.reductions"),
        };
        var counters = new TrainingCounters
        {
            Epoch = Int(metadata, "epoch"),
            BatchIndex = Int(metadata, "batch_index"),
            Step = Long(metadata, "step"),
            Tokens = Long(metadata, "tokens"),
            LearningRateScale = Double(metadata, "learning_rate_scale"),
            BestValidationLoss = Double(metadata, "best_validation_loss"),
            EvaluationsWithoutImprovement = Int(metadata, "evaluations_without_improvement"),
            Divergences = Int(metadata, "divergences"),
            ConsecutiveDivergences = Int(metadata, "consecutive_divergences"),
            ReportLossSum = Double(metadata, "report_loss_sum"),
            ReportTokens = Double(metadata, "report_tokens"),
            EvaluationLossSum = Double(metadata, "evaluation_loss_sum"),
            EvaluationTokens = Double(metadata, "evaluation_tokens"),
            EpochLossSum = Double(metadata, "epoch_loss_sum"),
            EpochTokens = Double(metadata, "epoch_tokens"),
            LastLearningRate = Double(metadata, "last_learning_rate"),
            LastGradientNorm = Double(metadata, "last_gradient_norm"),
            ElapsedTicks = Long(metadata, "elapsed_ticks"),
        };
        if (counters.Epoch < 0 || counters.BatchIndex < 0 || counters.Step < 0 || counters.Tokens < 0 || counters.ElapsedTicks < 0)
        {
            throw Bad("the data position or a counter is negative");
        }

        var state = new TrainingState(
            model.Options, model.Parameters.ToArray(), optimizer, schedule, random,
            reader.ReadSingle(HiddenTensor), reader.ReadSingle(CellTensor), counters);
        return new Checkpoint(file, state);
    }

    private static void Put(SafeTensorsWriter writer, string key, string value) => writer.AddMetadata(Prefix + key, value);

    private static void Put(SafeTensorsWriter writer, string key, long value) => Put(writer, key, value.ToString(CultureInfo.InvariantCulture));

    // "R" round-trips every double exactly, including NaN and the infinities.
    private static void Put(SafeTensorsWriter writer, string key, double value) => Put(writer, key, value.ToString("R", CultureInfo.InvariantCulture));

    private static string Meta(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(Prefix + key, out string? value) ? value : throw Bad($"the metadata key '{Prefix + key}' is missing");

    private static long Long(IReadOnlyDictionary<string, string> metadata, string key) =>
        long.TryParse(Meta(metadata, key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Bad($"the metadata key '{Prefix + key}' is not an integer");

    private static int Int(IReadOnlyDictionary<string, string> metadata, string key) =>
        int.TryParse(Meta(metadata, key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Bad($"the metadata key '{Prefix + key}' is not an integer");

    private static double Double(IReadOnlyDictionary<string, string> metadata, string key) =>
        double.TryParse(Meta(metadata, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw Bad($"the metadata key '{Prefix + key}' is not a number");

    // A rank-1 tensor of the given dtype; of the given length unless expected is -1.
    private static void RequireVector(SafeTensorsReader reader, string name, SafeTensorDType dtype, long expected)
    {
        if (!reader.Contains(name))
        {
            throw Bad($"the tensor '{name}' is missing");
        }

        SafeTensorInfo info = reader.Get(name);
        if (info.DType != dtype)
        {
            throw Bad($"the tensor '{name}' has dtype {SafeTensorDTypes.Name(info.DType)}, expected {SafeTensorDTypes.Name(dtype)}");
        }

        if (info.Shape.Count != 1 || (expected >= 0 && info.Shape[0] != expected))
        {
            throw Bad($"the tensor '{name}' has shape {info.ShapeText}, expected {(expected >= 0 ? $"[{expected}]" : "a vector")}");
        }
    }

    private static InvalidDataException Bad(string what) => new($"Invalid checkpoint: {what}.");
}
