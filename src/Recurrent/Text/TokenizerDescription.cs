namespace Recurrent.Text;

/// <summary>
/// A serializable description of a tokenizer: a kind name and string settings. <see cref="Tokenizers.Create"/>
/// turns it back into a tokenizer, so a model file can carry the tokenizer it was trained with.
/// </summary>
public sealed class TokenizerDescription
{
    /// <summary>Creates a description.</summary>
    /// <param name="kind">The kind name, e.g. <c>"word"</c>, <c>"char"</c>, <c>"whitespace"</c>.</param>
    /// <param name="settings">The settings (copied); null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is null, empty or whitespace.</exception>
    public TokenizerDescription(string kind, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        Kind = kind;
        var copy = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (settings is not null)
        {
            foreach (KeyValuePair<string, string> pair in settings)
            {
                copy.Add(pair.Key, pair.Value ?? throw new ArgumentException($"Setting '{pair.Key}' is null.", nameof(settings)));
            }
        }

        Settings = copy;
    }

    /// <summary>Gets the kind name.</summary>
    public string Kind { get; }

    /// <summary>Gets the settings, sorted by key (ordinal).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Returns a readable form such as <c>word(lowerCase=true)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind + "(" + string.Join(", ", Settings.Select(p => p.Key + "=" + p.Value)) + ")";
}
