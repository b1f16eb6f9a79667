using System.Buffers;
using System.Text;
using System.Text.Json;
using Recurrent.Text;

namespace Recurrent.Serialization;

/// <summary>
/// Writes and reads a <see cref="TokenizerDescription"/> as the JSON object stored under the
/// <c>recurrent.tokenizer</c> metadata key: <c>{"kind":"word","settings":{"lowerCase":"true",…}}</c>.
/// </summary>
internal static class TokenizerJson
{
    /// <summary>The largest accepted tokenizer JSON, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Serializes a tokenizer's description (settings in ordinal key order).</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <returns>Compact JSON.</returns>
    public static string Write(ITokenizer tokenizer)
    {
        TokenizerDescription description = tokenizer.Describe();
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", description.Kind);
            json.WriteStartObject("settings");
            foreach (KeyValuePair<string, string> setting in description.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(setting.Key, setting.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses a description and rebuilds the tokenizer.</summary>
    /// <param name="text">The JSON text.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or describes no known tokenizer.</exception>
    public static ITokenizer Read(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            throw Bad($"the tokenizer description is longer than {MaxBytes} bytes");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 3 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid model file: the tokenizer description is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("kind", out JsonElement kind) || kind.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("settings", out JsonElement settings) || settings.ValueKind != JsonValueKind.Object)
            {
                throw Bad("the tokenizer description needs a string 'kind' and an object 'settings'");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty setting in settings.EnumerateObject())
            {
                if (setting.Value.ValueKind != JsonValueKind.String)
                {
                    throw Bad($"the tokenizer setting '{setting.Name}' is not a string");
                }

                if (!values.TryAdd(setting.Name, setting.Value.GetString()!))
                {
                    throw Bad($"the tokenizer setting '{setting.Name}' appears twice");
                }
            }

            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (property.Name is not ("kind" or "settings"))
                {
                    throw Bad($"the tokenizer description has an unknown field '{property.Name}'");
                }
            }

            try
            {
                return Tokenizers.Create(new TokenizerDescription(kind.GetString()!, values));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Invalid model file: the tokenizer description cannot be used ({e.Message}).", e);
            }
        }
    }

    private static InvalidDataException Bad(string what) => new($"Invalid model file: {what}.");
}
