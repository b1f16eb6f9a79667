namespace Recurrent.Text;

/// <summary>
/// Splits on whitespace only: for corpora that are already tokenized, such as the Penn Treebank language-model
/// split, where <c>&lt;unk&gt;</c> and <c>N</c> are tokens. Detokenizing joins with single spaces.
/// </summary>
public sealed class WhitespaceTokenizer : TokenizerBase
{
    internal const string KindName = "whitespace";

    /// <summary>Creates a whitespace tokenizer.</summary>
    /// <param name="lowerCase">Whether tokens are lower-cased (invariant culture).</param>
    public WhitespaceTokenizer(bool lowerCase = false)
    {
        LowerCase = lowerCase;
    }

    /// <summary>Gets whether tokens are lower-cased.</summary>
    public bool LowerCase { get; }

    /// <inheritdoc />
    public override TokenizerDescription Describe() =>
        new(KindName, new Dictionary<string, string> { ["lowerCase"] = Tokenizers.Format(LowerCase) });

    /// <inheritdoc />
    protected override IReadOnlyList<string> TokenizeCore(string? text, ReadOnlySpan<char> textSpan)
    {
        var buffer = new TokenBuffer();
        TokenizeInto(textSpan, buffer);
        return buffer.ToArray();
    }

    /// <inheritdoc />
    protected override string DetokenizeCore(IReadOnlyList<string> tokens) => string.Join(' ', tokens);

    internal override void TokenizeInto(ReadOnlySpan<char> text, TokenBuffer buffer)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                buffer.Add(text[start..i], LowerCase);
            }
        }
    }
}
