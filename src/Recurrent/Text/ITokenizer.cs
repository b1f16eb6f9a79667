namespace Recurrent.Text;

/// <summary>
/// Turns text into a sequence of string tokens and back. A tokenizer is immutable and thread-safe.
/// </summary>
/// <remarks>
/// Tokens never contain whitespace and are never empty. Mapping tokens to ids is the job of
/// <see cref="Vocabulary"/>.
/// </remarks>
public interface ITokenizer
{
    /// <summary>Splits <paramref name="text"/> into tokens.</summary>
    /// <param name="text">The text; may be empty (no tokens).</param>
    /// <returns>The tokens in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    IReadOnlyList<string> Tokenize(string text);

    /// <summary>Splits <paramref name="text"/> into tokens.</summary>
    /// <param name="text">The text; may be empty (no tokens).</param>
    /// <returns>The tokens in order.</returns>
    IReadOnlyList<string> Tokenize(ReadOnlySpan<char> text);

    /// <summary>Rebuilds readable text from tokens (the inverse of <see cref="Tokenize(string)"/> up to spacing and case).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is null.</exception>
    string Detokenize(IReadOnlyList<string> tokens);

    /// <summary>Describes this tokenizer (kind and settings) so that <see cref="Tokenizers.Create"/> can rebuild it, e.g. from a model file.</summary>
    /// <returns>The description.</returns>
    TokenizerDescription Describe();
}
