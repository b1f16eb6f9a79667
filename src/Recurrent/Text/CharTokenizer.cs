using System.Text;

namespace Recurrent.Text;

/// <summary>
/// A character-level tokenizer: one token per Unicode scalar value (<see cref="Rune"/>), so a surrogate pair is
/// never split. A lone surrogate (ill-formed UTF-16) becomes its own one-character token, so that without
/// lower-casing <c>Detokenize(Tokenize(s)) == s</c> for every string.
/// </summary>
public sealed class CharTokenizer : TokenizerBase
{
    internal const string KindName = "char";

    private readonly bool _lowerCase;

    /// <summary>Creates a character tokenizer.</summary>
    /// <param name="options">The options; null for the defaults.</param>
    public CharTokenizer(CharTokenizerOptions? options = null)
    {
        _lowerCase = options?.LowerCase ?? false;
    }

    /// <summary>Gets whether characters are lower-cased.</summary>
    public bool LowerCase => _lowerCase;

    /// <inheritdoc />
    public override TokenizerDescription Describe() =>
        new(KindName, new Dictionary<string, string> { ["lowerCase"] = Tokenizers.Format(_lowerCase) });

    /// <inheritdoc />
    protected override IReadOnlyList<string> TokenizeCore(string? text, ReadOnlySpan<char> textSpan)
    {
        var buffer = new TokenBuffer();
        TokenizeInto(textSpan, buffer);
        return buffer.ToArray();
    }

    /// <inheritdoc />
    protected override string DetokenizeCore(IReadOnlyList<string> tokens) => string.Concat(tokens);

    internal override void TokenizeInto(ReadOnlySpan<char> text, TokenBuffer buffer)
    {
        int i = 0;
        while (i < text.Length)
        {
            int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            buffer.Add(text.Slice(i, length), _lowerCase);
            i += length;
        }
    }
}
