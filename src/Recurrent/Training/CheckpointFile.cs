using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Recurrent.Models;
using Recurrent.Serialization;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Training;

/// <summary>
/// Maps a <see cref="TrainingState"/> to a checkpoint file and back, through the library's safetensors
/// container (<see cref="SafeTensorsWriter"/>, <see cref="SafeTensorsReader"/>). The file holds:
/// the model's tensors under their PyTorch names (so the weights load anywhere a model file does),
/// <c>optimizer.{buffer}</c> tensors for the optimizer moments, <c>trainer.random_state</c> (I64 [4], the generator's words reinterpreted),
/// <c>trainer.carried_hidden</c>/<c>trainer.carried_cell</c> (the stream's carried state), and
/// <c>__metadata__</c> strings for the format, the model options, the optimizer, the schedule memory, the
/// counters and the caller's own metadata (e.g. the vocabulary).
/// </summary>
internal static class CheckpointFile
{
    public const string Format = "recurrent.checkpoint";
    public const string FormatVersion = "1";
    private const string Prefix = "recurrent.";

    /// <summary>Writes a checkpoint atomically (temporary file beside it, flush to disk, rename).</summary>
    public static void Save(string path, TrainingState state, IRecurrentModel model, IReadOnlyDictionary<string, string>? userMetadata) =>
        Encode(state, model, userMetadata).Save(path);

    /// <summary>The exact bytes <see cref="Save"/> writes (tests use it to truncate).</summary>
    public static byte[] ToBytes(TrainingState state, IRecurrentModel model, IReadOnlyDictionary<string, string>? userMetadata) =>
        Encode(state, model, userMetadata).ToArray();

    /// <summary>Reads and validates a checkpoint for a model of the given shape and optimizer.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated or does not fit.</exception>
    public static TrainingState Load(string path, IRecurrentModel model, Optimizer optimizer)
    {
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return Decode(reader, model, optimizer);
    }

    /// <summary>Decodes checkpoint bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are corrupt, truncated or do not fit.</exception>
    public static TrainingState Decode(byte[] bytes, IRecurrentModel model, Optimizer optimizer)
    {
        using SafeTensorsReader reader = SafeTensorsReader.FromBytes(bytes);
        return Decode(reader, model, optimizer);
    }

    /// <summary>Gets the caller's metadata stored in a checkpoint (the keys not reserved by the library).</summary>
    public static Dictionary<string, string> ReadUserMetadata(string path)
    {
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return reader.Metadata.Where(p => !p.Key.StartsWith(Prefix, StringComparison.Ordinal) && p.Key is not "format" and not "format_version")
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    private static TrainingState Decode(SafeTensorsReader reader, IRecurrentModel model, Optimizer optimizer)
    {
        IReadOnlyDictionary<string, string> metadata = reader.Metadata;
        if (!metadata.TryGetValue("format", out string? format) || format != Format)
        {
            throw new InvalidDataException($"The file is not a Recurrent checkpoint (format '{format}').");
        }

        if (!metadata.TryGetValue("format_version", out string? version) || version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported checkpoint format version '{version}'; expected {FormatVersion}.");
        }

        // Only the shape must match: seed, initialisation and dropout may differ (the weights come from the file).
        string shape = Meta(metadata, "model_shape");
        string expectedShape = ModelShapeJson(model.Options);
        if (shape != expectedShape)
        {
            throw new InvalidDataException($"The checkpoint was written for a model of shape {shape}; this model has {expectedShape}.");
        }

        float[] parameters = new float[model.ParameterCount];
        foreach (ParameterTensor t in model.Tensors)
        {
            RequireShape(reader, t.Name, SafeTensorDType.F32, t.Columns == 0 ? [t.Rows] : [t.Rows, t.Columns]);
            reader.ReadSingle(t.Name, parameters.AsSpan(t.Offset, t.Length));
        }

        string optimizerName = Meta(metadata, "optimizer");
        if (optimizerName != optimizer.Name)
        {
            throw new InvalidDataException($"The checkpoint holds state for optimizer '{optimizerName}', not '{optimizer.Name}'.");
        }

        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (SafeTensorInfo info in reader.Tensors)
        {
            if (info.Name.StartsWith("optimizer.", StringComparison.Ordinal))
            {
                RequireShape(reader, info.Name, SafeTensorDType.F32, [model.ParameterCount]);
                buffers.Add(info.Name["optimizer.".Length..], reader.ReadSingle(info.Name));
            }
        }

        var optimizerState = new OptimizerState(optimizerName, model.ParameterCount, Long(metadata, "optimizer.step_count"), buffers);
        try
        {
            optimizer.ValidateState(optimizerState, model.ParameterCount);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        RequireShape(reader, "trainer.random_state", SafeTensorDType.I64, [4]);
        ulong[] random = [.. reader.ReadInt64("trainer.random_state").Select(w => unchecked((ulong)w))];
        if ((random[0] | random[1] | random[2] | random[3]) == 0)
        {
            throw new InvalidDataException("The random state is all zero.");
        }

        RequireShape(reader, "trainer.carried_hidden", SafeTensorDType.F32, null);
        RequireShape(reader, "trainer.carried_cell", SafeTensorDType.F32, null);
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
        if (counters.Epoch < 0 || counters.BatchIndex < 0 || counters.Step < 0 || counters.Tokens < 0)
        {
            throw new InvalidDataException("The checkpoint's data position or counters are negative.");
        }

        return new TrainingState(
            parameters, optimizerState, schedule, random, reader.ReadSingle("trainer.carried_hidden"), reader.ReadSingle("trainer.carried_cell"), counters);
    }

    /// <summary>The model options as a canonical JSON object (written to and compared against the metadata).</summary>
    public static string ModelOptionsJson(RecurrentModelOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("vocabulary_size", options.VocabularySize);
            writer.WriteNumber("embedding_size", options.EmbeddingSize);
            writer.WriteNumber("hidden_size", options.HiddenSize);
            writer.WriteNumber("layers", options.Layers);
            writer.WriteString("cell", options.Cell.ToString());
            writer.WriteNumber("dropout", options.Dropout);
            writer.WriteBoolean("tie_weights", options.TieWeights);
            writer.WriteBoolean("use_bias", options.UseBias);
            writer.WriteNumber("init_range", options.InitRange);
            writer.WriteNumber("forget_gate_bias", options.ForgetGateBias);
            writer.WriteNumber("seed", options.Seed);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The options that fix the parameter layout, as canonical JSON (compared when loading).</summary>
    public static string ModelShapeJson(RecurrentModelOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("vocabulary_size", options.VocabularySize);
            writer.WriteNumber("embedding_size", options.EmbeddingSize);
            writer.WriteNumber("hidden_size", options.HiddenSize);
            writer.WriteNumber("layers", options.Layers);
            writer.WriteString("cell", options.Cell.ToString());
            writer.WriteBoolean("tie_weights", options.TieWeights);
            writer.WriteBoolean("use_bias", options.UseBias);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static SafeTensorsWriter Encode(TrainingState state, IRecurrentModel model, IReadOnlyDictionary<string, string>? userMetadata)
    {
        var writer = new SafeTensorsWriter();
        foreach (ParameterTensor t in model.Tensors)
        {
            ReadOnlySpan<float> values = state.Parameters.AsSpan(t.Offset, t.Length);
            if (t.Columns == 0)
            {
                writer.Add(t.Name, values, t.Rows);
            }
            else
            {
                writer.Add(t.Name, values, t.Rows, t.Columns);
            }
        }

        foreach ((string name, float[] buffer) in state.Optimizer.Buffers)
        {
            writer.Add("optimizer." + name, buffer, buffer.Length);
        }

        long[] random = [.. state.RandomState.Select(w => unchecked((long)w))];
        writer.Add("trainer.random_state", random, random.Length);
        writer.Add("trainer.carried_hidden", state.CarriedHidden, state.CarriedHidden.Length);
        writer.Add("trainer.carried_cell", state.CarriedCell, state.CarriedCell.Length);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (userMetadata is not null)
        {
            foreach ((string key, string value) in userMetadata)
            {
                if (key.StartsWith(Prefix, StringComparison.Ordinal) || key is "format" or "format_version")
                {
                    throw new ArgumentException($"Checkpoint metadata key '{key}' is reserved.", nameof(userMetadata));
                }

                metadata[key] = value;
            }
        }

        metadata["format"] = Format;
        metadata["format_version"] = FormatVersion;
        TrainingCounters c = state.Counters;
        ScheduleState s = state.Schedule;
        Put(metadata, "model_options", ModelOptionsJson(model.Options));
        Put(metadata, "model_shape", ModelShapeJson(model.Options));
        Put(metadata, "optimizer", state.Optimizer.OptimizerName);
        Put(metadata, "optimizer.step_count", state.Optimizer.StepCount);
        Put(metadata, "schedule.factor", s.Factor);
        Put(metadata, "schedule.reference_loss", s.ReferenceLoss);
        Put(metadata, "schedule.bad_epochs", s.BadEpochs);
        Put(metadata, "schedule.reductions", s.Reductions);
        Put(metadata, "epoch", c.Epoch);
        Put(metadata, "batch_index", c.BatchIndex);
        Put(metadata, "step", c.Step);
        Put(metadata, "tokens", c.Tokens);
        Put(metadata, "learning_rate_scale", c.LearningRateScale);
        Put(metadata, "best_validation_loss", c.BestValidationLoss);
        Put(metadata, "evaluations_without_improvement", c.EvaluationsWithoutImprovement);
        Put(metadata, "divergences", c.Divergences);
        Put(metadata, "consecutive_divergences", c.ConsecutiveDivergences);
        Put(metadata, "report_loss_sum", c.ReportLossSum);
        Put(metadata, "report_tokens", c.ReportTokens);
        Put(metadata, "evaluation_loss_sum", c.EvaluationLossSum);
        Put(metadata, "evaluation_tokens", c.EvaluationTokens);
        Put(metadata, "epoch_loss_sum", c.EpochLossSum);
        Put(metadata, "epoch_tokens", c.EpochTokens);
        Put(metadata, "last_learning_rate", c.LastLearningRate);
        Put(metadata, "last_gradient_norm", c.LastGradientNorm);
        Put(metadata, "elapsed_ticks", c.ElapsedTicks);
        foreach ((string key, string value) in metadata)
        {
            writer.AddMetadata(key, value);
        }

        return writer;
    }

    private static void Put(Dictionary<string, string> metadata, string key, string value) => metadata[Prefix + key] = value;

    private static void Put(Dictionary<string, string> metadata, string key, long value) => Put(metadata, key, value.ToString(CultureInfo.InvariantCulture));

    // "R" round-trips every double exactly, including NaN and the infinities.
    private static void Put(Dictionary<string, string> metadata, string key, double value) => Put(metadata, key, value.ToString("R", CultureInfo.InvariantCulture));

    private static string Meta(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(Prefix + key, out string? value) ? value : throw new InvalidDataException($"The checkpoint lacks metadata '{Prefix + key}'.");

    private static long Long(IReadOnlyDictionary<string, string> metadata, string key) =>
        long.TryParse(Meta(metadata, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"Metadata '{Prefix + key}' is not an integer.");

    private static int Int(IReadOnlyDictionary<string, string> metadata, string key) =>
        int.TryParse(Meta(metadata, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"Metadata '{Prefix + key}' is not an integer.");

    private static double Double(IReadOnlyDictionary<string, string> metadata, string key) =>
        double.TryParse(Meta(metadata, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidDataException($"Metadata '{Prefix + key}' is not a number.");

    private static void RequireShape(SafeTensorsReader reader, string name, SafeTensorDType dtype, long[]? shape)
    {
        SafeTensorInfo info = reader.Get(name);
        if (info.DType != dtype)
        {
            throw new InvalidDataException($"Tensor '{name}' has dtype {info.DType}; expected {dtype}.");
        }

        if (shape is not null && !info.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"Tensor '{name}' has shape {info.ShapeText}; expected [{string.Join(", ", shape)}].");
        }

        if (shape is null && info.Shape.Count != 1)
        {
            throw new InvalidDataException($"Tensor '{name}' has shape {info.ShapeText}; expected a vector.");
        }
    }
}
