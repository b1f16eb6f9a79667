using System.Buffers;
using System.Text;

namespace Recurrent.Text;

/// <summary>
/// A word tokenizer following the conventions of the Penn Treebank tokenizer (NLTK's <c>word_tokenize</c>):
/// punctuation is split off, double quotes become <c>``</c> and <c>''</c>, contractions are split
/// (<c>don't</c> → <c>do n't</c>, <c>I'm</c> → <c>I 'm</c>); URLs (<c>http://…</c>, <c>www.…</c>, <c>/r/…</c>,
/// <c>/u/…</c>), numbers (<c>3.5</c>, <c>1,000</c>, <c>10%</c>, <c>$20</c>), abbreviations (<c>Mr.</c>, <c>e.g.</c>,
/// <c>U.S.</c>) and hyphenated words stay whole. Any Unicode letter script works. See docs/text.md for the full rules.
/// </summary>
/// <remarks>
/// The tokenizer is a single hand-written left-to-right scan (no regular expressions), so it is fast and allocation-light.
/// </remarks>
public sealed class WordTokenizer : TokenizerBase
{
    internal const string KindName = "word";

    private static readonly string[] s_gluedPairs = ["gon", "na", "wan", "na", "got", "ta", "gim", "me", "lem", "me"];

    private readonly bool _lowerCase;
    private readonly bool _decodeHtmlEntities;
    private readonly bool _splitContractions;

    /// <summary>Creates a word tokenizer.</summary>
    /// <param name="options">The options; null for the defaults.</param>
    public WordTokenizer(WordTokenizerOptions? options = null)
    {
        options ??= new WordTokenizerOptions();
        _lowerCase = options.LowerCase;
        _decodeHtmlEntities = options.DecodeHtmlEntities;
        _splitContractions = options.SplitContractions;
    }

    /// <summary>Gets the options this tokenizer was created with.</summary>
    public WordTokenizerOptions Options => new()
    {
        LowerCase = _lowerCase,
        DecodeHtmlEntities = _decodeHtmlEntities,
        SplitContractions = _splitContractions,
    };

    /// <inheritdoc />
    public override TokenizerDescription Describe() => new(KindName, new Dictionary<string, string>
    {
        ["lowerCase"] = Tokenizers.Format(_lowerCase),
        ["decodeHtmlEntities"] = Tokenizers.Format(_decodeHtmlEntities),
        ["splitContractions"] = Tokenizers.Format(_splitContractions),
    });

    /// <inheritdoc />
    protected override IReadOnlyList<string> TokenizeCore(string? text, ReadOnlySpan<char> textSpan)
    {
        var buffer = new TokenBuffer();
        TokenizeInto(textSpan, buffer);
        return buffer.ToArray();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Tokens are joined by single spaces, except that closing punctuation (<c>. , ? ! ; : ) ] }</c>, <c>%</c>, dot runs)
    /// and contraction suffixes (<c>n't 's 'm 'd 'll 're 've</c>) attach to the previous token and the token after an
    /// opening bracket attaches to it — but only when re-tokenizing the joined text gives back the same two tokens.
    /// <c>``</c> and <c>''</c> become <c>"</c> where the quote direction will be read back the same, else stay literal.
    /// </remarks>
    protected override string DetokenizeCore(IReadOnlyList<string> tokens)
    {
        var sb = new StringBuilder();
        string? previous = null;
        bool previousWasOpeningQuote = false;
        var segment = new List<string>(); // the tokens written since the last space, glued together
        int segmentStart = 0;             // where that glued run starts in sb
        foreach (string token in tokens)
        {
            if (token.Length == 0)
            {
                continue;
            }

            int before = sb.Length;
            char last = sb.Length > 0 ? sb[^1] : ' ';
            bool openingContext = sb.Length == 0 || char.IsWhiteSpace(last) || TextRules.IsOpener(last) || (last == '"' && previousWasOpeningQuote);
            bool isOpeningQuote = false;
            if (token == "``")
            {
                if (!openingContext)
                {
                    sb.Append(' ');
                }

                sb.Append('"');
                isOpeningQuote = true;
            }
            else if (token == "''")
            {
                if (openingContext)
                {
                    if (sb.Length > 0 && !char.IsWhiteSpace(last))
                    {
                        sb.Append(' ');
                    }

                    sb.Append("''");
                }
                else
                {
                    sb.Append('"');
                }
            }
            else
            {
                bool glue = previous is not null
                    && (previousWasOpeningQuote
                        ? RoundTrips("\"", previous, token)
                        : (GluesToPrevious(token) || IsOpeningBracket(previous) || IsGluedPair(previous, token)) && RoundTrips(previous, previous, token))
                    && SegmentRoundTrips(sb, segmentStart, segment, token);
                if (sb.Length > 0 && !glue)
                {
                    sb.Append(' ');
                }

                sb.Append(token);
            }

            // Whichever branch wrote a space before this token starts a new glued run.
            for (int i = sb.Length - 1; i >= before; i--)
            {
                if (char.IsWhiteSpace(sb[i]))
                {
                    segment.Clear();
                    segmentStart = i + 1;
                    break;
                }
            }

            segment.Add(token);

            previous = token;
            previousWasOpeningQuote = isOpeningQuote;
        }

        return sb.ToString();
    }

    internal override void TokenizeInto(ReadOnlySpan<char> text, TokenBuffer buffer)
    {
        if (_decodeHtmlEntities && text.Contains('&'))
        {
            char[] rented = ArrayPool<char>.Shared.Rent(text.Length);
            try
            {
                int length = TextRules.DecodeHtmlEntities(text, rented);
                Scan(rented.AsSpan(0, length), buffer);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
        else
        {
            Scan(text, buffer);
        }
    }

    private static bool GluesToPrevious(string token)
    {
        if (token.Length == 1)
        {
            return token[0] is '.' or ',' or '?' or '!' or ';' or ':' or ')' or ']' or '}' or '%' or '\u2026';
        }

        return token.AsSpan().IndexOfAnyExcept('.') < 0 || IsContractionSuffix(token);
    }

    private static bool IsOpeningBracket(string token) => token is "(" or "[" or "{";

    private static bool IsContractionSuffix(string token)
    {
        ReadOnlySpan<char> t = token;
        if (t.Length == 3 && (t[0] | 0x20) == 'n' && t[1] is '\'' or '\u2019' && (t[2] | 0x20) == 't')
        {
            return true;
        }

        return t.Length >= 2 && t[0] is '\'' or '\u2019' && IsContractionWord(t[1..], allowT: false);
    }

    private static bool IsContractionWord(ReadOnlySpan<char> letters, bool allowT) =>
        letters.Equals("s", StringComparison.OrdinalIgnoreCase)
        || letters.Equals("m", StringComparison.OrdinalIgnoreCase)
        || letters.Equals("d", StringComparison.OrdinalIgnoreCase)
        || letters.Equals("ll", StringComparison.OrdinalIgnoreCase)
        || letters.Equals("re", StringComparison.OrdinalIgnoreCase)
        || letters.Equals("ve", StringComparison.OrdinalIgnoreCase)
        || (allowT && letters.Equals("t", StringComparison.OrdinalIgnoreCase));

    private static bool IsGluedPair(string previous, string token)
    {
        for (int i = 0; i < s_gluedPairs.Length; i += 2)
        {
            if (previous.Equals(s_gluedPairs[i], StringComparison.OrdinalIgnoreCase) && token.Equals(s_gluedPairs[i + 1], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // Joining two tokens without a space is only safe when the joined text tokenizes back into the same two tokens.
    // Gluing two tokens can still change how a longer glued run reads back (e.g. a URL that swallows a closing
    // bracket several tokens later), so the whole run since the last space must re-tokenize unchanged.
    private bool SegmentRoundTrips(StringBuilder sb, int segmentStart, List<string> segment, string token)
    {
        var buffer = new TokenBuffer();
        Scan(string.Concat(sb.ToString(segmentStart, sb.Length - segmentStart), token), buffer, lowerCase: false);
        if (buffer.Count != segment.Count + 1 || !buffer[segment.Count].SequenceEqual(token))
        {
            return false;
        }

        for (int i = 0; i < segment.Count; i++)
        {
            if (!buffer[i].SequenceEqual(segment[i]))
            {
                return false;
            }
        }

        return true;
    }

    private bool RoundTrips(string previousText, string previous, string token)
    {
        var buffer = new TokenBuffer();
        Scan(string.Concat(previousText, token), buffer, lowerCase: false);
        return buffer.Count == 2 && buffer[0].SequenceEqual(previous) && buffer[1].SequenceEqual(token);
    }

    private void Scan(ReadOnlySpan<char> s, TokenBuffer buffer) => Scan(s, buffer, _lowerCase);

    private void Scan(ReadOnlySpan<char> s, TokenBuffer buffer, bool lowerCase)
    {
        bool lastWasOpeningQuote = false;
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            bool openingQuote = false;
            int url = c is 'h' or 'H' or 'w' or 'W' or '/' ? TextRules.MatchUrl(s, i) : 0;
            if (url > 0)
            {
                buffer.Add(s.Slice(i, url), lowerCase);
                i += url;
            }
            else if (IsWordStart(s, i))
            {
                i = ScanWord(s, i, buffer, lowerCase);
            }
            else
            {
                i = ScanSymbol(s, i, buffer, lowerCase, lastWasOpeningQuote, out openingQuote);
            }

            lastWasOpeningQuote = openingQuote;
        }
    }

    private static bool IsWordStart(ReadOnlySpan<char> s, int i)
    {
        if (TextRules.IsWordChar(s, i, out _))
        {
            return true;
        }

        char c = s[i];
        return (c is '$' or '\u00A3' or '\u20AC' or '\u00A5' && TextRules.IsDigit(s, i + 1))
            || (c == '.' && TextRules.IsDigit(s, i + 1) && (i == 0 || char.IsWhiteSpace(s[i - 1])));
    }

    private int ScanWord(ReadOnlySpan<char> s, int start, TokenBuffer buffer, bool lowerCase)
    {
        int i = start;
        if (!TextRules.IsWordChar(s, i, out _))
        {
            i++; // a currency sign or the leading point of .5
        }

        int segmentStart = start;
        int apostrophe = -1;
        int suffixLength = 0;
        bool nt = false;
        while (i < s.Length)
        {
            if (TextRules.IsWordChar(s, i, out int length))
            {
                i += length;
                continue;
            }

            char c = s[i];
            if (c is '.' or ',' or ':' && TextRules.IsDigit(s, i - 1) && TextRules.IsDigit(s, i + 1))
            {
                i++; // 3.5  1,000  10:30
                continue;
            }

            if (c == '.' && i - segmentStart == 1 && char.IsLetter(s[i - 1]) && TextRules.IsLetter(s, i + 1)
                && (i + 2 >= s.Length || !TextRules.IsWordChar(s, i + 2, out _)))
            {
                i++; // U.S  e.g  i.e  (single letters joined by points)
                segmentStart = i;
                continue;
            }

            if (c is '-' or '/' or '_' && i > start && TextRules.IsWordChar(s, i - 1, out _) && i + 1 < s.Length && TextRules.IsWordChar(s, i + 1, out _))
            {
                i++; // well-known  and/or  24/7
                continue;
            }

            if (c == '&' && TextRules.IsLetter(s, i - 1) && TextRules.IsLetter(s, i + 1))
            {
                i++; // AT&T  R&D
                continue;
            }

            if (c is '\'' or '\u2019' && TextRules.IsLetter(s, i - 1) && TextRules.IsLetter(s, i + 1))
            {
                if (_splitContractions)
                {
                    suffixLength = ContractionSuffixLength(s, i, out nt);
                    if (suffixLength > 0 && !(nt && i - 1 == start))
                    {
                        apostrophe = i;
                        break;
                    }

                    suffixLength = 0;
                }

                i++; // o'clock  y'all
                continue;
            }

            if (c == '%' && IsNumber(s[start..i]))
            {
                i++; // 10%
            }

            break;
        }

        int end = apostrophe < 0 ? i : (nt ? apostrophe - 1 : apostrophe);
        if (apostrophe < 0 && end < s.Length && s[end] == '.' && (end + 1 >= s.Length || s[end + 1] != '.') && TextRules.KeepsPeriod(s[start..end]))
        {
            end++; // Mr.  etc.  U.S.  J.
            i = end;
        }

        EmitWord(s[start..end], buffer, lowerCase);
        if (apostrophe >= 0)
        {
            int suffixStart = nt ? apostrophe - 1 : apostrophe;
            buffer.AddWithApostrophe(s.Slice(suffixStart, suffixLength + (nt ? 1 : 0)), nt ? 1 : 0, lowerCase);
            i = apostrophe + suffixLength;
        }

        return i;
    }

    private void EmitWord(ReadOnlySpan<char> word, TokenBuffer buffer, bool lowerCase)
    {
        if (_splitContractions && word.Length is 5 or 6)
        {
            int split = word switch
            {
                _ when word.Equals("cannot", StringComparison.OrdinalIgnoreCase) => 3,
                _ when word.Equals("gonna", StringComparison.OrdinalIgnoreCase)
                    || word.Equals("wanna", StringComparison.OrdinalIgnoreCase)
                    || word.Equals("gotta", StringComparison.OrdinalIgnoreCase)
                    || word.Equals("gimme", StringComparison.OrdinalIgnoreCase)
                    || word.Equals("lemme", StringComparison.OrdinalIgnoreCase) => 3,
                _ => 0,
            };
            if (split > 0)
            {
                buffer.Add(word[..split], lowerCase);
                buffer.Add(word[split..], lowerCase);
                return;
            }
        }

        buffer.Add(word, lowerCase);
    }

    private static bool IsNumber(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty)
        {
            return false;
        }

        int first = char.IsDigit(word[0]) ? 0 : 1;
        if (first >= word.Length)
        {
            return false;
        }

        foreach (char c in word[first..])
        {
            if (!char.IsDigit(c) && c is not ('.' or ',' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    // Length of the contraction suffix starting at the apostrophe s[i] ("'s", "'ll", "'t" of n't …), or 0.
    private static int ContractionSuffixLength(ReadOnlySpan<char> s, int i, out bool nt)
    {
        nt = false;
        int j = i + 1;
        while (j < s.Length && TextRules.IsLetter(s, j))
        {
            j++;
        }

        if (j < s.Length && s[j] is '\'' or '\u2019' && TextRules.IsLetter(s, j + 1) && !IsContractionWord(s[(i + 1)..j], allowT: true))
        {
            return 0;
        }

        ReadOnlySpan<char> letters = s[(i + 1)..j];
        if (letters.Length == 1 && (letters[0] | 0x20) == 't')
        {
            nt = i > 0 && (s[i - 1] | 0x20) == 'n';
            return nt ? 2 : 0;
        }

        return IsContractionWord(letters, allowT: false) ? j - i : 0;
    }

    private int ScanSymbol(ReadOnlySpan<char> s, int i, TokenBuffer buffer, bool lowerCase, bool lastWasOpeningQuote, out bool openingQuote)
    {
        openingQuote = false;
        char c = s[i];
        switch (c)
        {
            case '"':
                openingQuote = i == 0 || char.IsWhiteSpace(s[i - 1]) || TextRules.IsOpener(s[i - 1]) || (s[i - 1] == '"' && lastWasOpeningQuote);
                buffer.Add(openingQuote ? "``" : "''", lowerCase: false);
                return i + 1;
            case '\u201C':
                openingQuote = true;
                buffer.Add("``", lowerCase: false);
                return i + 1;
            case '\u201D':
                buffer.Add("''", lowerCase: false);
                return i + 1;
            case '\'' or '\u2019':
                if (c == '\'' && i + 1 < s.Length && s[i + 1] == '\'')
                {
                    buffer.Add("''", lowerCase: false);
                    return i + 2;
                }

                if (_splitContractions && TextRules.IsLetter(s, i - 1))
                {
                    int suffix = ContractionSuffixLength(s, i, out bool nt);
                    if (suffix > 0 && !nt)
                    {
                        buffer.AddWithApostrophe(s.Slice(i, suffix), 0, lowerCase);
                        return i + suffix;
                    }
                }

                buffer.Add(s.Slice(i, 1), lowerCase: false);
                return i + 1;
            case '`':
                int ticks = i + 1 < s.Length && s[i + 1] == '`' ? 2 : 1;
                buffer.Add(s.Slice(i, ticks), lowerCase: false);
                openingQuote = ticks == 2;
                return i + ticks;
            case '?' or '!' or ',' or ';' or ':' or '(' or ')' or '[' or ']' or '{' or '}':
                buffer.Add(s.Slice(i, 1), lowerCase: false);
                return i + 1;
        }

        if (c < 0x80)
        {
            // A run of one repeated symbol is one token: "..." "--" "**" "==" ">>".
            int end = i + 1;
            while (end < s.Length && s[end] == c)
            {
                end++;
            }

            buffer.Add(s[i..end], lowerCase: false);
            return end;
        }

        // Any other character (emoji, symbols, stray marks): one scalar value, never half a surrogate pair.
        int length = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        buffer.Add(s.Slice(i, length), lowerCase);
        return i + length;
    }
}
