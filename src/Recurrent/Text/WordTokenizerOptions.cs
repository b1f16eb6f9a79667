namespace Recurrent.Text;

/// <summary>Options for <see cref="WordTokenizer"/>.</summary>
public sealed class WordTokenizerOptions
{
    /// <summary>Gets whether tokens are lower-cased (invariant culture). Default false; the original reddit model used true.</summary>
    public bool LowerCase { get; init; }

    /// <summary>Gets whether HTML entities from scraped text (<c>&amp;gt;</c>, <c>&amp;amp;</c>, <c>&amp;#39;</c> …) are decoded before tokenizing. Default true.</summary>
    public bool DecodeHtmlEntities { get; init; } = true;

    /// <summary>Gets whether contractions are split the Treebank way (<c>don't</c> → <c>do n't</c>, <c>I'm</c> → <c>I 'm</c>, <c>gonna</c> → <c>gon na</c>). Default true.</summary>
    public bool SplitContractions { get; init; } = true;
}
