using System.Buffers;
using System.Text;
using System.Text.Json;
using Recurrent.Models;

namespace Recurrent.Serialization;

/// <summary>
/// Writes and reads <see cref="RecurrentModelOptions"/> as the JSON object stored under the
/// <c>recurrent.options</c> metadata key (camelCase fields, fixed order, no reflection).
/// </summary>
internal static class ModelOptionsJson
{
    /// <summary>The largest accepted options JSON, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Serializes options (every field, in a fixed order; floats shortest round-trip).</summary>
    /// <param name="options">The options.</param>
    /// <returns>Compact JSON.</returns>
    public static string Write(RecurrentModelOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("cell", options.Cell.ToString());
            json.WriteNumber("vocabularySize", options.VocabularySize);
            json.WriteNumber("embeddingSize", options.EmbeddingSize);
            json.WriteNumber("hiddenSize", options.HiddenSize);
            json.WriteNumber("layers", options.Layers);
            json.WriteBoolean("tieWeights", options.TieWeights);
            json.WriteBoolean("useBias", options.UseBias);
            json.WriteNumber("dropout", options.Dropout);
            json.WriteNumber("initRange", options.InitRange);
            json.WriteNumber("forgetGateBias", options.ForgetGateBias);
            json.WriteNumber("seed", options.Seed);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses and validates options.</summary>
    /// <param name="text">The JSON text.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed, a field is missing, unknown, of the wrong type or out of range.</exception>
    public static RecurrentModelOptions Read(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            throw Bad($"the options are longer than {MaxBytes} bytes");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 2 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid model file: the options are not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("the options are not a JSON object");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Bad($"the options field '{property.Name}' appears twice");
                }

                if (property.Name is not ("cell" or "vocabularySize" or "embeddingSize" or "hiddenSize" or "layers" or "tieWeights"
                    or "useBias" or "dropout" or "initRange" or "forgetGateBias" or "seed"))
                {
                    throw Bad($"the options have an unknown field '{property.Name}'");
                }
            }

            string cellText = String(root, "cell");
            CellKind cell = cellText switch
            {
                "Rnn" => CellKind.Rnn,
                "Lstm" => CellKind.Lstm,
                "Gru" => CellKind.Gru,
                _ => throw Bad($"the options field 'cell' has an unknown value '{cellText}'"),
            };
            var options = new RecurrentModelOptions
            {
                Cell = cell,
                VocabularySize = Int(root, "vocabularySize"),
                EmbeddingSize = Int(root, "embeddingSize"),
                HiddenSize = Int(root, "hiddenSize"),
                Layers = Int(root, "layers"),
                TieWeights = Bool(root, "tieWeights"),
                UseBias = Bool(root, "useBias"),
                Dropout = Single(root, "dropout"),
                InitRange = Single(root, "initRange"),
                ForgetGateBias = Single(root, "forgetGateBias"),
                Seed = Int(root, "seed"),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Invalid model file: the options field '{e.ParamName}' is out of range ({e.Message}).", e);
            }

            return options;
        }
    }

    private static JsonElement Field(JsonElement root, string name)
        => root.TryGetProperty(name, out JsonElement value) ? value : throw Bad($"the options have no '{name}' field");

    private static string String(JsonElement root, string name)
    {
        JsonElement value = Field(root, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad($"the options field '{name}' is not a string");
    }

    private static int Int(JsonElement root, string name)
    {
        JsonElement value = Field(root, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw Bad($"the options field '{name}' is not a 32-bit integer");
    }

    private static bool Bool(JsonElement root, string name)
    {
        JsonElement value = Field(root, name);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"the options field '{name}' is not a boolean"),
        };
    }

    private static float Single(JsonElement root, string name)
    {
        JsonElement value = Field(root, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetSingle(out float result) && float.IsFinite(result)
            ? result
            : throw Bad($"the options field '{name}' is not a finite number");
    }

    private static InvalidDataException Bad(string what) => new($"Invalid model file: {what}.");
}
