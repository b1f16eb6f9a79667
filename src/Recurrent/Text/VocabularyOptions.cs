namespace Recurrent.Text;

/// <summary>Options for <see cref="Vocabulary.Build(IEnumerable{string}, VocabularyOptions?)"/>.</summary>
public sealed class VocabularyOptions
{
    /// <summary>
    /// Gets the maximum number of entries, special tokens included (the original reddit model used 8,000), or null for no limit.
    /// The most frequent tokens are kept; ties in frequency go to the token seen first.
    /// </summary>
    public int? MaxSize { get; init; }

    /// <summary>Gets the minimum number of occurrences for a token to be kept. Default 1.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>Gets the special tokens. Default <see cref="SpecialTokens.None"/>.</summary>
    public SpecialTokens SpecialTokens { get; init; } = SpecialTokens.None;
}
