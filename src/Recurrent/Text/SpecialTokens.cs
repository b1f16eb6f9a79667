namespace Recurrent.Text;

/// <summary>
/// The special tokens of a <see cref="Vocabulary"/>: an unknown token and sentence start/end markers, each optional.
/// They always get the first ids, in the order unknown, sentence start, sentence end (skipping the absent ones).
/// </summary>
public sealed class SpecialTokens
{
    /// <summary>No special tokens (typical for character models).</summary>
    public static SpecialTokens None { get; } = new();

    /// <summary>The original reddit model's tokens: <c>UNKNOWN_TOKEN</c>, <c>SENTENCE_START</c>, <c>SENTENCE_END</c>.</summary>
    public static SpecialTokens Original { get; } = new()
    {
        Unknown = "UNKNOWN_TOKEN",
        SentenceStart = "SENTENCE_START",
        SentenceEnd = "SENTENCE_END",
    };

    /// <summary>The conventional <c>&lt;unk&gt;</c>, <c>&lt;bos&gt;</c>, <c>&lt;eos&gt;</c>.</summary>
    public static SpecialTokens Default { get; } = new()
    {
        Unknown = "<unk>",
        SentenceStart = "<bos>",
        SentenceEnd = "<eos>",
    };

    /// <summary>The Penn Treebank language-model convention: <c>&lt;unk&gt;</c> (which occurs in the text) and <c>&lt;eos&gt;</c> at each line end.</summary>
    public static SpecialTokens PennTreebank { get; } = new()
    {
        Unknown = "<unk>",
        SentenceEnd = "<eos>",
    };

    /// <summary>Gets the token that stands for any token not in the vocabulary, or null for none (unknown tokens then throw).</summary>
    public string? Unknown { get; init; }

    /// <summary>Gets the token that starts every sentence, or null for none.</summary>
    public string? SentenceStart { get; init; }

    /// <summary>Gets the token that ends every sentence, or null for none.</summary>
    public string? SentenceEnd { get; init; }

    /// <summary>Gets the number of special tokens that are set.</summary>
    public int Count => (Unknown is null ? 0 : 1) + (SentenceStart is null ? 0 : 1) + (SentenceEnd is null ? 0 : 1);

    /// <summary>The tokens that are set, in id order (unknown, start, end).</summary>
    internal List<string> ToList()
    {
        var list = new List<string>(3);
        if (Unknown is not null)
        {
            list.Add(Unknown);
        }

        if (SentenceStart is not null)
        {
            list.Add(SentenceStart);
        }

        if (SentenceEnd is not null)
        {
            list.Add(SentenceEnd);
        }

        return list;
    }

    /// <summary>Throws when a token is empty or two special tokens are equal.</summary>
    internal void Validate(string parameterName)
    {
        List<string> list = ToList();
        foreach (string token in list)
        {
            if (token.Length == 0)
            {
                throw new ArgumentException("A special token must not be empty.", parameterName);
            }
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ArgumentException("The special tokens must be distinct.", parameterName);
        }
    }
}
