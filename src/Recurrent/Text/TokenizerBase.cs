namespace Recurrent.Text;

/// <summary>
/// Base class for tokenizers: the public overloads validate their arguments and funnel into one protected core
/// (<see cref="TokenizeCore"/>, <see cref="DetokenizeCore"/>).
/// </summary>
public abstract class TokenizerBase : ITokenizer
{
    /// <inheritdoc />
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenizeCore(text, text.AsSpan());
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Tokenize(ReadOnlySpan<char> text) => TokenizeCore(null, text);

    /// <inheritdoc />
    public string Detokenize(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] is null)
            {
                throw new ArgumentException($"Token {i} is null.", nameof(tokens));
            }
        }

        return DetokenizeCore(tokens);
    }

    /// <inheritdoc />
    public abstract TokenizerDescription Describe();

    /// <summary>Tokenizes the text; every public overload ends here.</summary>
    /// <param name="text">The text as a string when the caller passed one (an implementation may use it to avoid a copy), else null.</param>
    /// <param name="textSpan">The text (always set; equal to <paramref name="text"/> when that is not null).</param>
    /// <returns>The tokens.</returns>
    protected abstract IReadOnlyList<string> TokenizeCore(string? text, ReadOnlySpan<char> textSpan);

    /// <summary>Rebuilds text from tokens (already validated: not null, no null element).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The text.</returns>
    protected abstract string DetokenizeCore(IReadOnlyList<string> tokens);

    /// <summary>
    /// Appends the tokens of <paramref name="text"/> to <paramref name="buffer"/> without allocating a string per token.
    /// The built-in tokenizers override this fast path; the default goes through <see cref="TokenizeCore"/>.
    /// </summary>
    internal virtual void TokenizeInto(ReadOnlySpan<char> text, TokenBuffer buffer)
    {
        foreach (string token in TokenizeCore(null, text))
        {
            buffer.Add(token, lowerCase: false);
        }
    }

    /// <summary>Tokenizes into <paramref name="buffer"/> with any <see cref="ITokenizer"/>, using the fast path when there is one.</summary>
    internal static void TokenizeInto(ITokenizer tokenizer, ReadOnlySpan<char> text, TokenBuffer buffer)
    {
        if (tokenizer is TokenizerBase fast)
        {
            fast.TokenizeInto(text, buffer);
            return;
        }

        foreach (string token in tokenizer.Tokenize(text))
        {
            buffer.Add(token, lowerCase: false);
        }
    }
}
