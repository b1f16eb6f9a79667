using System.Globalization;

namespace Recurrent.Text;

/// <summary>Creates tokenizers from their <see cref="TokenizerDescription"/>.</summary>
public static class Tokenizers
{
    /// <summary>Rebuilds the tokenizer that <paramref name="description"/> describes.</summary>
    /// <param name="description">A description returned by <see cref="ITokenizer.Describe"/>.</param>
    /// <returns>A tokenizer equivalent to the described one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is null.</exception>
    /// <exception cref="ArgumentException">The kind is unknown, or a setting is unknown or not a valid value.</exception>
    public static ITokenizer Create(TokenizerDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        switch (description.Kind)
        {
            case WordTokenizer.KindName:
                CheckKeys(description, "lowerCase", "decodeHtmlEntities", "splitContractions");
                return new WordTokenizer(new WordTokenizerOptions
                {
                    LowerCase = GetBool(description, "lowerCase", false),
                    DecodeHtmlEntities = GetBool(description, "decodeHtmlEntities", true),
                    SplitContractions = GetBool(description, "splitContractions", true),
                });
            case CharTokenizer.KindName:
                CheckKeys(description, "lowerCase");
                return new CharTokenizer(new CharTokenizerOptions { LowerCase = GetBool(description, "lowerCase", false) });
            case WhitespaceTokenizer.KindName:
                CheckKeys(description, "lowerCase");
                return new WhitespaceTokenizer(GetBool(description, "lowerCase", false));
            default:
                throw new ArgumentException($"Unknown tokenizer kind '{description.Kind}' (known: word, char, whitespace).", nameof(description));
        }
    }

    internal static string Format(bool value) => value ? "true" : "false";

    private static void CheckKeys(TokenizerDescription description, params string[] known)
    {
        foreach (string key in description.Settings.Keys)
        {
            if (Array.IndexOf(known, key) < 0)
            {
                throw new ArgumentException($"Unknown setting '{key}' for tokenizer kind '{description.Kind}'.", nameof(description));
            }
        }
    }

    private static bool GetBool(TokenizerDescription description, string key, bool defaultValue)
    {
        if (!description.Settings.TryGetValue(key, out string? value))
        {
            return defaultValue;
        }

        return value.ToLower(CultureInfo.InvariantCulture) switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ArgumentException($"Setting '{key}' of tokenizer '{description.Kind}' must be true or false, not '{value}'.", nameof(description)),
        };
    }
}
