namespace Recurrent.Text;

/// <summary>
/// Counts tokens in first-occurrence order and gives each distinct token a provisional id (its rank of first
/// occurrence). Looks tokens up by span, so counting a corpus allocates one string per distinct token only.
/// </summary>
internal sealed class TokenCounter
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _tokens = [];
    private long[] _counts = new long[1024];

    public TokenCounter()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets the number of distinct tokens.</summary>
    public int Count => _tokens.Count;

    /// <summary>Gets the number of tokens counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one occurrence and returns the token's provisional id.</summary>
    public int Add(ReadOnlySpan<char> token) => Add(token, 1);

    /// <summary>Counts <paramref name="count"/> occurrences and returns the token's provisional id.</summary>
    public int Add(ReadOnlySpan<char> token, long count)
    {
        if (!_lookup.TryGetValue(token, out int id))
        {
            id = _tokens.Count;
            string text = token.ToString();
            _ids.Add(text, id);
            _tokens.Add(text);
            if (id == _counts.Length)
            {
                Array.Resize(ref _counts, _counts.Length * 2);
            }
        }

        _counts[id] += count;
        Total += count;
        return id;
    }

    /// <summary>Gets the provisional id of a token, or -1.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : -1;

    public string GetToken(int id) => _tokens[id];

    public long GetCount(int id) => _counts[id];
}
