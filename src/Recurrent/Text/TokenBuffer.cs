namespace Recurrent.Text;

/// <summary>
/// A reusable list of tokens stored as one run of characters plus end offsets, so that tokenizing a corpus
/// does not allocate a string per token. Not thread-safe.
/// </summary>
internal sealed class TokenBuffer
{
    private char[] _chars = new char[1024];
    private int[] _ends = new int[256];
    private int _length;

    /// <summary>Gets the number of tokens.</summary>
    public int Count { get; private set; }

    /// <summary>Gets token <paramref name="index"/>.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            int start = index == 0 ? 0 : _ends[index - 1];
            return _chars.AsSpan(start, _ends[index] - start);
        }
    }

    /// <summary>Removes all tokens (keeps the storage).</summary>
    public void Clear()
    {
        Count = 0;
        _length = 0;
    }

    /// <summary>Appends a token, optionally lower-cased (invariant).</summary>
    public void Add(ReadOnlySpan<char> token, bool lowerCase)
    {
        if (token.IsEmpty)
        {
            return;
        }

        if (_length + token.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + token.Length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        Span<char> destination = _chars.AsSpan(_length, token.Length);
        if (lowerCase)
        {
            token.ToLowerInvariant(destination);
        }
        else
        {
            token.CopyTo(destination);
        }

        _length += token.Length;
        _ends[Count++] = _length;
    }

    /// <summary>Appends a token whose one character is replaced (used to normalize apostrophes).</summary>
    public void AddWithApostrophe(ReadOnlySpan<char> token, int apostropheIndex, bool lowerCase)
    {
        int start = _length;
        Add(token, lowerCase);
        _chars[start + apostropheIndex] = '\'';
    }

    /// <summary>Copies the tokens out as strings.</summary>
    public string[] ToArray()
    {
        var result = new string[Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = this[i].ToString();
        }

        return result;
    }
}
