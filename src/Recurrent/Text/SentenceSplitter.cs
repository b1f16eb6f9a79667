namespace Recurrent.Text;

/// <summary>
/// Splits text (a comment, a paragraph) into sentences with Punkt-style rules tuned for web comments.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A run of <c>.</c> <c>?</c> <c>!</c> <c>…</c> (so also <c>?!</c> and <c>...</c>), optionally followed by closing
/// quotes or brackets, ends a sentence when what follows is the end of the text, or whitespace and then
/// (after any opening quotes or brackets) a capital letter, a letter of a script without case, or a digit.</item>
/// <item>A single period does not end a sentence after a known abbreviation (<c>Mr.</c>, <c>Dr.</c>, <c>etc.</c>,
/// <c>vs.</c> …), dotted initials (<c>e.g.</c>, <c>i.e.</c>, <c>U.S.</c>) or a one-letter initial (<c>J.</c>, not <c>I.</c>).</item>
/// <item>Punctuation not followed by whitespace (decimals such as <c>3.5</c>) and anything inside a URL never ends a sentence.</item>
/// <item>Every line break ends a sentence. Sentences are trimmed; empty ones are dropped.</item>
/// </list>
/// </remarks>
public static class SentenceSplitter
{
    /// <summary>Splits <paramref name="text"/> into sentences.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The trimmed, non-empty sentences in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Split(text.AsSpan());
    }

    /// <summary>Splits <paramref name="text"/> into sentences.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The trimmed, non-empty sentences in order.</returns>
    public static IReadOnlyList<string> Split(ReadOnlySpan<char> text)
    {
        var ranges = new List<Range>();
        Split(text, ranges);
        var result = new string[ranges.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = text[ranges[i]].ToString();
        }

        return result;
    }

    /// <summary>Appends the ranges of the sentences of <paramref name="text"/> to <paramref name="sentences"/> (no string allocated).</summary>
    internal static void Split(ReadOnlySpan<char> text, List<Range> sentences)
    {
        int start = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsLineBreak(c))
            {
                AddTrimmed(text, start, i, sentences);
                start = ++i;
                continue;
            }

            if (c is 'h' or 'H' or 'w' or 'W' or '/')
            {
                int url = TextRules.MatchUrl(text, i);
                if (url > 0)
                {
                    i += url;
                    continue;
                }
            }

            if (!IsTerminator(c))
            {
                i++;
                continue;
            }

            int end = i + 1;
            while (end < text.Length && IsTerminator(text[end]))
            {
                end++;
            }

            int after = end;
            while (after < text.Length && IsCloser(text[after]))
            {
                after++;
            }

            if (EndsSentence(text, i, end, after))
            {
                AddTrimmed(text, start, after, sentences);
                start = after;
            }

            i = after;
        }

        AddTrimmed(text, start, text.Length, sentences);
    }

    private static bool EndsSentence(ReadOnlySpan<char> text, int runStart, int runEnd, int after)
    {
        if (after < text.Length)
        {
            if (!char.IsWhiteSpace(text[after]))
            {
                return false; // 3.5, e.g.x, end.Next: no break without whitespace
            }

            int next = after;
            while (next < text.Length && char.IsWhiteSpace(text[next]) && !IsLineBreak(text[next]))
            {
                next++;
            }

            if (next < text.Length && !IsLineBreak(text[next]))
            {
                while (next < text.Length && IsOpenerOrQuote(text[next]))
                {
                    next++;
                }

                if (next < text.Length && !TextRules.IsSentenceInitialLetter(text, next) && !char.IsDigit(text[next]))
                {
                    return false;
                }
            }
        }

        if (runEnd - runStart == 1 && text[runStart] == '.')
        {
            int wordStart = runStart;
            while (wordStart > 0 && (TextRules.IsLetter(text, wordStart - 1) || text[wordStart - 1] == '.'))
            {
                wordStart--;
            }

            if (TextRules.KeepsPeriod(text[wordStart..runStart]))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddTrimmed(ReadOnlySpan<char> text, int start, int end, List<Range> sentences)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            sentences.Add(new Range(start, end));
        }
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';

    private static bool IsTerminator(char c) => c is '.' or '?' or '!' or '\u2026';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019' or '*';

    private static bool IsOpenerOrQuote(char c) => c is '"' or '\'' or '(' or '[' or '\u201C' or '\u2018' or '*';
}
