using System.Buffers;
using System.Globalization;
using System.Text;

namespace Recurrent.Text;

/// <summary>
/// Character classes, URL matching, abbreviations and HTML entities shared by <see cref="WordTokenizer"/> and
/// <see cref="SentenceSplitter"/>, so that both agree on what a URL, an abbreviation or an initial is.
/// </summary>
internal static class TextRules
{
    // Abbreviations that keep their period (compared case-insensitively, without the period). Single letters
    // and dotted forms (e.g., i.e., U.S.) are recognized by pattern, not listed here.
    private static readonly HashSet<string> s_abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "inc", "ltd", "co", "corp",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "approx", "dept", "est", "fig", "gen", "gov", "lt", "col", "sgt", "capt", "cmdr", "rev", "sen", "rep",
        "ave", "blvd", "no", "vol", "cf", "al", "ft", "pp",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_abbreviationLookup =
        s_abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether the scalar value at <paramref name="index"/> is a letter, digit or combining mark; sets its UTF-16 length.</summary>
    public static bool IsWordChar(ReadOnlySpan<char> s, int index, out int length)
    {
        char c = s[index];
        length = 1;
        if (c < 0x80)
        {
            return char.IsAsciiLetterOrDigit(c);
        }

        UnicodeCategory category;
        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            length = 2;
            category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, s[index + 1]));
        }
        else
        {
            category = CharUnicodeInfo.GetUnicodeCategory(c);
        }

        return category <= UnicodeCategory.OtherNumber; // Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No
    }

    /// <summary>Whether the scalar value at <paramref name="index"/> is a letter (any script).</summary>
    public static bool IsLetter(ReadOnlySpan<char> s, int index)
    {
        if ((uint)index >= (uint)s.Length)
        {
            return false;
        }

        char c = s[index];
        if (c < 0x80)
        {
            return char.IsAsciiLetter(c);
        }

        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            return Rune.IsLetter(new Rune(c, s[index + 1]));
        }

        return char.IsLetter(c);
    }

    /// <summary>Whether the character at <paramref name="index"/> is an ASCII or Unicode decimal digit.</summary>
    public static bool IsDigit(ReadOnlySpan<char> s, int index) => (uint)index < (uint)s.Length && char.IsDigit(s[index]);

    /// <summary>Whether the letter at <paramref name="index"/> can start a sentence: upper case, title case, or a letter of a script without case.</summary>
    public static bool IsSentenceInitialLetter(ReadOnlySpan<char> s, int index)
    {
        if (!IsLetter(s, index))
        {
            return false;
        }

        Rune rune = Rune.DecodeFromUtf16(s[index..], out Rune decoded, out _) == OperationStatus.Done ? decoded : Rune.ReplacementChar;
        UnicodeCategory category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.OtherLetter;
    }

    /// <summary>Whether a character opens a bracket or quote (a double quote after it is an opening quote).</summary>
    public static bool IsOpener(char c) => c is '(' or '[' or '{' or '<' or '\u201C' or '\u2018';

    /// <summary>Whether <paramref name="word"/> (without its period) is a known abbreviation.</summary>
    public static bool IsAbbreviation(ReadOnlySpan<char> word) => s_abbreviationLookup.Contains(word);

    /// <summary>Whether <paramref name="word"/> has the dotted pattern of single letters, e.g. <c>U.S</c> or <c>e.g</c> (before its final period).</summary>
    public static bool IsDottedInitials(ReadOnlySpan<char> word)
    {
        if (word.Length < 3)
        {
            return false;
        }

        for (int i = 0; i < word.Length; i++)
        {
            bool letterPosition = i % 2 == 0;
            if (letterPosition ? !char.IsLetter(word[i]) : word[i] != '.')
            {
                return false;
            }
        }

        return word.Length % 2 == 1;
    }

    /// <summary>Whether <paramref name="word"/> is a single capital letter used as an initial (not the pronoun I).</summary>
    public static bool IsInitial(ReadOnlySpan<char> word) => word.Length == 1 && char.IsUpper(word[0]) && word[0] != 'I';

    /// <summary>Whether a period directly after <paramref name="word"/> belongs to it (abbreviation, dotted initials or an initial).</summary>
    public static bool KeepsPeriod(ReadOnlySpan<char> word) => IsAbbreviation(word) || IsDottedInitials(word) || IsInitial(word);

    /// <summary>
    /// Returns the length of the URL starting at <paramref name="index"/> (http://, https://, www., /r/, /u/), or 0.
    /// The URL runs to whitespace, stops at an unbalanced closing bracket, and drops trailing sentence punctuation.
    /// </summary>
    public static int MatchUrl(ReadOnlySpan<char> s, int index)
    {
        if (index > 0 && (char.IsLetterOrDigit(s[index - 1]) || s[index - 1] is '/' or '.'))
        {
            return 0;
        }

        ReadOnlySpan<char> rest = s[index..];
        int prefix;
        if (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            prefix = 7;
        }
        else if (rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            prefix = 8;
        }
        else if (rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            prefix = 4;
        }
        else if (rest.Length > 3 && rest[0] == '/' && (rest[1] | 0x20) is 'r' or 'u' && rest[2] == '/')
        {
            prefix = 3;
        }
        else
        {
            return 0;
        }

        if (rest.Length <= prefix || !char.IsLetterOrDigit(rest[prefix]))
        {
            return 0;
        }

        int parens = 0, brackets = 0;
        int end = prefix;
        for (; end < rest.Length; end++)
        {
            char c = rest[end];
            if (char.IsWhiteSpace(c) || c is '"' or '<' or '>' or '\u201C' or '\u201D' or '\u2019')
            {
                break;
            }

            if (c == '(')
            {
                parens++;
            }
            else if (c == ')' && --parens < 0)
            {
                break;
            }
            else if (c == '[')
            {
                brackets++;
            }
            else if (c == ']' && --brackets < 0)
            {
                break;
            }
        }

        while (end > prefix && rest[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '*')
        {
            end--;
        }

        return end;
    }

    /// <summary>
    /// Decodes the HTML entities that scraped text carries (<c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c>,
    /// <c>&amp;quot;</c>, <c>&amp;apos;</c>, <c>&amp;nbsp;</c>, <c>&amp;#N;</c>, <c>&amp;#xH;</c>) into
    /// <paramref name="destination"/> (at least as long as the source); other text is copied. Returns the length written.
    /// </summary>
    public static int DecodeHtmlEntities(ReadOnlySpan<char> source, Span<char> destination)
    {
        int written = 0;
        int i = 0;
        while (i < source.Length)
        {
            int amp = source[i..].IndexOf('&');
            if (amp < 0)
            {
                source[i..].CopyTo(destination[written..]);
                written += source.Length - i;
                break;
            }

            source.Slice(i, amp).CopyTo(destination[written..]);
            written += amp;
            i += amp;
            int consumed = TryDecodeEntity(source[i..], destination[written..], out int produced);
            if (consumed == 0)
            {
                destination[written++] = '&';
                i++;
            }
            else
            {
                written += produced;
                i += consumed;
            }
        }

        return written;
    }

    private static int TryDecodeEntity(ReadOnlySpan<char> s, Span<char> destination, out int produced)
    {
        produced = 0;
        int semicolon = s[..Math.Min(s.Length, 10)].IndexOf(';');
        if (semicolon < 3)
        {
            return 0;
        }

        ReadOnlySpan<char> name = s[1..semicolon];
        char single = name switch
        {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u00A0',
            _ => '\0',
        };
        if (single != '\0')
        {
            destination[0] = single;
            produced = 1;
            return semicolon + 1;
        }

        if (name[0] != '#' || name.Length < 2)
        {
            return 0;
        }

        bool hex = name[1] is 'x' or 'X';
        ReadOnlySpan<char> digits = name[(hex ? 2 : 1)..];
        if (digits.IsEmpty
            || !int.TryParse(digits, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out int code)
            || !Rune.IsValid(code) || code == 0)
        {
            return 0;
        }

        produced = new Rune(code).EncodeToUtf16(destination);
        return semicolon + 1;
    }
}
