using System.Globalization;
using Recurrent.Models;
using Recurrent.Text;

namespace Recurrent.Serialization;

/// <summary>
/// A self-describing model file: the weights as a safetensors file whose tensors are a PyTorch
/// <c>state_dict</c> of <c>nn.Embedding → nn.RNN/nn.LSTM/nn.GRU → nn.Linear</c>, with the model options and
/// the text settings in its <c>__metadata__</c>. See <c>docs/file-format.md</c> for the byte layout.
/// A <see cref="Checkpoint"/> file is a model file with training-state tensors and metadata added, so
/// <see cref="Load"/> opens checkpoints too (and gives their model).
/// </summary>
/// <remarks>
/// Saving is atomic (temporary file in the same directory, flushed, renamed) and deterministic (the same
/// model gives the same bytes). Loading validates the whole file before trusting it and is strict by
/// default; every problem is an <see cref="InvalidDataException"/> naming the tensor or field.
/// </remarks>
public sealed class ModelFile
{
    /// <summary>The value of the <c>recurrent.format</c> metadata key.</summary>
    public const string FormatName = "recurrent-model";

    /// <summary>The format version this library writes and reads (the <c>recurrent.format_version</c> key).</summary>
    public const int FormatVersion = 1;

    internal const string FormatKey = "recurrent.format";
    internal const string VersionKey = "recurrent.format_version";
    internal const string OptionsKey = "recurrent.options";
    internal const string TokenizerKey = "recurrent.tokenizer";
    internal const string VocabularyKey = "recurrent.vocabulary";

    private ModelFile(IRecurrentModel model, Vocabulary? vocabulary, ITokenizer? tokenizer, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<string> missing, IReadOnlyList<string> ignored)
    {
        Model = model;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        Metadata = metadata;
        MissingTensors = missing;
        IgnoredTensors = ignored;
    }

    /// <summary>Gets the loaded model.</summary>
    public IRecurrentModel Model { get; }

    /// <summary>Gets the vocabulary saved with the model, or null when none was saved.</summary>
    public Vocabulary? Vocabulary { get; }

    /// <summary>Gets the tokenizer saved with the model (rebuilt from its description), or null when none was saved.</summary>
    public ITokenizer? Tokenizer { get; }

    /// <summary>Gets every metadata entry of the file, including the ones this library wrote.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the tensors the model expects that the file lacked (only with <see cref="ModelFileLoadOptions.AllowMissingTensors"/>).</summary>
    public IReadOnlyList<string> MissingTensors { get; }

    /// <summary>Gets the file's tensors that the model does not have (only with <see cref="ModelFileLoadOptions.IgnoreUnknownTensors"/>).</summary>
    public IReadOnlyList<string> IgnoredTensors { get; }

    /// <summary>Saves a model, with the vocabulary and tokenizer it reads text with, atomically and deterministically.</summary>
    /// <param name="path">The destination path; an existing file is replaced.</param>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">The vocabulary (its size must be the model's vocabulary size), or null.</param>
    /// <param name="tokenizer">The tokenizer, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the vocabulary's size differs from the model's.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IRecurrentModel model, Vocabulary? vocabulary = null, ITokenizer? tokenizer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        CreateWriter(model, vocabulary, tokenizer).Save(path);
    }

    /// <summary>Loads a model file written by <see cref="Save"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Relaxations of the strict checks, or null for strict loading.</param>
    /// <returns>The model and the file's metadata.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, of another format or version, or does not match its options (a missing, unknown or misshapen tensor, a non-finite weight).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModelFile Load(string path, ModelFileLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return Read(reader, options ?? ModelFileLoadOptions.Strict);
    }

    /// <summary>
    /// Loads weights from any safetensors file holding a PyTorch <c>state_dict</c> of the equivalent module
    /// (for example one written by <c>safetensors.torch.save_file(model.state_dict(), path)</c>) into a new
    /// model with the given options. The file's metadata is not used.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="modelOptions">The options of the model to create; they must match the file's tensors.</param>
    /// <param name="options">Relaxations of the strict checks, or null for strict loading.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelOptions"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or <paramref name="modelOptions"/> is invalid.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt or its tensors do not match the options.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IRecurrentModel LoadStateDict(string path, RecurrentModelOptions modelOptions, ModelFileLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(modelOptions);
        modelOptions.Validate();
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        return ReadWeights(reader, modelOptions, options ?? ModelFileLoadOptions.Strict, isExtraTensor: null, out _, out _);
    }

    /// <summary>
    /// Creates a writer holding the model's tensors and metadata; a checkpoint adds its own tensors and
    /// metadata (with names that do not collide) before saving it.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">The vocabulary, or null.</param>
    /// <param name="tokenizer">The tokenizer, or null.</param>
    /// <returns>A writer ready to save.</returns>
    /// <exception cref="ArgumentException">The vocabulary's size differs from the model's.</exception>
    internal static SafeTensorsWriter CreateWriter(IRecurrentModel model, Vocabulary? vocabulary = null, ITokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return CreateWriter(model, model.Parameters, vocabulary, tokenizer);
    }

    /// <summary>
    /// Creates a writer holding the given weights (in <paramref name="model"/>'s flat layout, e.g. a
    /// checkpoint's captured parameters) under the model's tensor names, with the model file's metadata.
    /// </summary>
    /// <param name="model">The model that gives the options and the tensor layout.</param>
    /// <param name="parameters">The weights to write, of length <see cref="IRecurrentModel.ParameterCount"/>.</param>
    /// <param name="vocabulary">The vocabulary, or null.</param>
    /// <param name="tokenizer">The tokenizer, or null.</param>
    /// <returns>A writer ready to save.</returns>
    /// <exception cref="ArgumentException">The vocabulary's size differs from the model's.</exception>
    internal static SafeTensorsWriter CreateWriter(IRecurrentModel model, ReadOnlySpan<float> parameters, Vocabulary? vocabulary, ITokenizer? tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (vocabulary is not null && vocabulary.Count != model.Options.VocabularySize)
        {
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens but the model has VocabularySize {model.Options.VocabularySize}.", nameof(vocabulary));
        }

        var writer = new SafeTensorsWriter();
        writer.AddMetadata(FormatKey, FormatName);
        writer.AddMetadata(VersionKey, FormatVersion.ToString(CultureInfo.InvariantCulture));
        writer.AddMetadata(OptionsKey, ModelOptionsJson.Write(model.Options));
        if (vocabulary is not null)
        {
            writer.AddMetadata(VocabularyKey, vocabulary.ToJson());
        }

        if (tokenizer is not null)
        {
            writer.AddMetadata(TokenizerKey, TokenizerJson.Write(tokenizer));
        }

        foreach (ParameterTensor tensor in model.Tensors)
        {
            // A tied decoder.weight is written out as well (same values as encoder.weight), as PyTorch's
            // state_dict lists it, so that load_state_dict(strict=True) finds every key.
            ReadOnlySpan<float> values = parameters.Slice(tensor.Offset, tensor.Length);
            if (tensor.Columns == 0)
            {
                writer.Add(tensor.Name, values, tensor.Rows);
            }
            else
            {
                writer.Add(tensor.Name, values, tensor.Rows, tensor.Columns);
            }
        }

        return writer;
    }

    /// <summary>Returns the bytes <see cref="Save"/> writes.</summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">The vocabulary, or null.</param>
    /// <param name="tokenizer">The tokenizer, or null.</param>
    /// <returns>The file's bytes.</returns>
    internal static byte[] ToBytes(IRecurrentModel model, Vocabulary? vocabulary = null, ITokenizer? tokenizer = null)
        => CreateWriter(model, vocabulary, tokenizer).ToArray();

    /// <summary>Reads a model file from a validated container.</summary>
    /// <param name="reader">The container.</param>
    /// <param name="options">The load options.</param>
    /// <param name="isExtraTensor">
    /// Recognises tensors that belong to the caller, or null; when null, a checkpoint's training-state tensors
    /// are recognised in a file that is a checkpoint, so that a checkpoint loads as a model file.
    /// </param>
    /// <returns>The model file.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid model file.</exception>
    internal static ModelFile Read(SafeTensorsReader reader, ModelFileLoadOptions options, Func<string, bool>? isExtraTensor = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        if (isExtraTensor is null && reader.Metadata.ContainsKey(Checkpoint.VersionKey))
        {
            isExtraTensor = Checkpoint.IsTrainingStateTensor;
        }

        string format = reader.GetMetadata(FormatKey);
        if (format != FormatName)
        {
            throw Bad($"the metadata key '{FormatKey}' is '{format}', expected '{FormatName}'");
        }

        string version = reader.GetMetadata(VersionKey);
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw Bad($"the format version '{version}' (metadata key '{VersionKey}') is not supported; this library reads version {FormatVersion}");
        }

        RecurrentModelOptions modelOptions = ModelOptionsJson.Read(reader.GetMetadata(OptionsKey));
        Vocabulary? vocabulary = null;
        if (reader.Metadata.TryGetValue(VocabularyKey, out string? vocabularyJson))
        {
            vocabulary = ReadVocabulary(vocabularyJson);
            if (vocabulary.Count != modelOptions.VocabularySize)
            {
                throw Bad($"the vocabulary (metadata key '{VocabularyKey}') has {vocabulary.Count} tokens but the options say {modelOptions.VocabularySize}");
            }
        }

        ITokenizer? tokenizer = reader.Metadata.TryGetValue(TokenizerKey, out string? tokenizerJson) ? TokenizerJson.Read(tokenizerJson) : null;
        IRecurrentModel model = ReadWeights(reader, modelOptions, options, isExtraTensor, out List<string> missing, out List<string> ignored);
        return new ModelFile(model, vocabulary, tokenizer, reader.Metadata, missing, ignored);
    }

    private static Vocabulary ReadVocabulary(string json)
    {
        try
        {
            return Vocabulary.FromJson(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Invalid model file: the vocabulary (metadata key '{VocabularyKey}') is invalid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks the file's tensors against the options (before allocating the model), creates the model and
    /// fills it.
    /// </summary>
    internal static IRecurrentModel ReadWeights(
        SafeTensorsReader reader,
        RecurrentModelOptions modelOptions,
        ModelFileLoadOptions options,
        Func<string, bool>? isExtraTensor,
        out List<string> missing,
        out List<string> ignored)
    {
        List<(string Name, long Rows, long Columns)> expected = ModelTensors.Expected(modelOptions);
        var expectedNames = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        missing = [];
        ignored = [];
        foreach ((string name, long rows, long columns) in expected)
        {
            expectedNames.Add(name);
            bool shared = name == ModelTensors.Decoder && modelOptions.TieWeights;
            total += shared ? 0 : columns == 0 ? rows : rows * columns;
            if (!reader.Contains(name))
            {
                if (!options.AllowMissingTensors)
                {
                    throw Bad($"the tensor '{name}' is missing");
                }

                missing.Add(name);
                continue;
            }

            SafeTensorInfo info = reader.Get(name);
            if (info.DType != SafeTensorDType.F32)
            {
                throw Bad($"the tensor '{name}' has dtype {SafeTensorDTypes.Name(info.DType)}, expected F32");
            }

            bool shapeMatches = columns == 0
                ? info.Shape.Count == 1 && info.Shape[0] == rows
                : info.Shape.Count == 2 && info.Shape[0] == rows && info.Shape[1] == columns;
            if (!shapeMatches)
            {
                string expectedShape = columns == 0 ? $"[{rows}]" : $"[{rows}, {columns}]";
                throw Bad($"the tensor '{name}' has shape {info.ShapeText}, expected {expectedShape} for these model options");
            }
        }

        foreach (SafeTensorInfo info in reader.Tensors)
        {
            if (expectedNames.Contains(info.Name) || (isExtraTensor?.Invoke(info.Name) ?? false))
            {
                continue;
            }

            if (!options.IgnoreUnknownTensors)
            {
                throw Bad($"the tensor '{info.Name}' is not part of a {modelOptions.Cell} model with these options");
            }

            ignored.Add(info.Name);
        }

        if (total > Array.MaxLength)
        {
            throw Bad($"the options describe {total} parameters, more than one buffer can hold");
        }

        IRecurrentModel model = RecurrentModel.Create(modelOptions);
        Span<float> parameters = model.Parameters;
        ParameterTensor? encoder = null;
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor tensor in model.Tensors)
        {
            if (!expectedNames.Contains(tensor.Name))
            {
                throw new InvalidOperationException($"The model has a tensor '{tensor.Name}' that the file format does not describe.");
            }

            if (tensor.Name == ModelTensors.Encoder)
            {
                encoder = tensor;
            }

            if (!reader.Contains(tensor.Name))
            {
                continue;
            }

            Span<float> destination = parameters.Slice(tensor.Offset, tensor.Length);
            bool tiedDecoder = tensor.Name == ModelTensors.Decoder && modelOptions.TieWeights && encoder is not null && loaded.Contains(ModelTensors.Encoder);
            if (tiedDecoder)
            {
                // Same storage as encoder.weight: the file's copy must be identical to it.
                float[] copy = reader.ReadSingle(tensor.Name);
                if (!BitwiseEqual(copy, destination))
                {
                    throw Bad($"the tensor '{tensor.Name}' differs from '{ModelTensors.Encoder}' although the weights are tied");
                }

                continue;
            }

            reader.ReadSingle(tensor.Name, destination);
            loaded.Add(tensor.Name);
            if (!options.AllowNonFiniteValues)
            {
                int index = IndexOfNonFinite(destination);
                if (index >= 0)
                {
                    throw Bad($"the tensor '{tensor.Name}' holds a non-finite value ({destination[index].ToString(CultureInfo.InvariantCulture)}) at element {index}");
                }
            }
        }

        return model;
    }

    private static bool BitwiseEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static InvalidDataException Bad(string what) => new($"Invalid model file: {what}.");
}
