using Recurrent.Models;
using Recurrent.Serialization;
using Recurrent.Text;

namespace Recurrent.Cli;

/// <summary>A model read from a model file together with the vocabulary and tokenizer it reads text with.</summary>
internal sealed record LoadedModel(string Path, IRecurrentModel Model, Vocabulary Vocabulary, ITokenizer Tokenizer, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Gets whether the model reads characters.</summary>
    public bool IsChar => Tokenizer is CharTokenizer;
}

/// <summary>Saves and loads model files (<see cref="ModelFile"/>), turning a bad file into one clear error line.</summary>
internal static class ModelStore
{
    /// <summary>Saves a model with its vocabulary and tokenizer.</summary>
    public static void Save(string path, IRecurrentModel model, Vocabulary vocabulary, ITokenizer tokenizer)
    {
        try
        {
            ModelFile.Save(path, model, vocabulary, tokenizer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write the model file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Loads a model file that must hold a vocabulary and a tokenizer.</summary>
    public static LoadedModel Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"The model file '{path}' does not exist.");
        }

        ModelFile file;
        try
        {
            file = ModelFile.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"'{path}' is not a valid model file: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the model file '{path}': {e.Message}", e);
        }

        if (file.Vocabulary is null || file.Tokenizer is null)
        {
            throw new CliException($"The model file '{path}' has no vocabulary or tokenizer, so it cannot read or write text (it holds weights only).");
        }

        return new LoadedModel(path, file.Model, file.Vocabulary, file.Tokenizer, file.Metadata);
    }
}
