namespace Recurrent.Text;

/// <summary>Options for <see cref="CharTokenizer"/>.</summary>
public sealed class CharTokenizerOptions
{
    /// <summary>Gets whether each character is lower-cased (invariant culture). Default false.</summary>
    public bool LowerCase { get; init; }
}
