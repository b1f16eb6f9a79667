using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class SentenceSplitterTests
{
    [Theory]
    [InlineData("It works. It really does.", "It works.|It really does.")]
    [InlineData("Really?! Yes. Fine!", "Really?!|Yes.|Fine!")]
    [InlineData("Well... Maybe not.", "Well...|Maybe not.")]
    [InlineData("Wait... what happened", "Wait... what happened")]
    [InlineData("I paid 3.5 dollars. 20 people saw it.", "I paid 3.5 dollars.|20 people saw it.")]
    [InlineData("Mr. Smith met Dr. Jones. They talked.", "Mr. Smith met Dr. Jones.|They talked.")]
    [InlineData("Fruits, e.g. Apples, are fine. Veg too.", "Fruits, e.g. Apples, are fine.|Veg too.")]
    [InlineData("I live in the U.S. It is big.", "I live in the U.S. It is big.")]
    [InlineData("apples, pears, etc. Also nuts.", "apples, pears, etc. Also nuts.")]
    [InlineData("Books by J. R. R. Tolkien are long.", "Books by J. R. R. Tolkien are long.")]
    [InlineData("So did I. Then we left.", "So did I.|Then we left.")]
    [InlineData("see http://example.com/a.b?c=d! Now.", "see http://example.com/a.b?c=d!|Now.")]
    [InlineData("visit www.site.com. Then leave", "visit www.site.com.|Then leave")]
    [InlineData("no space.After period", "no space.After period")]
    [InlineData("lowercase next. then more", "lowercase next. then more")]
    [InlineData("He said \"Stop.\" Then left.", "He said \"Stop.\"|Then left.")]
    [InlineData("Line one\nLine two\r\n\r\nLine three", "Line one|Line two|Line three")]
    [InlineData("Это тест. Второе предложение.", "Это тест.|Второе предложение.")]
    [InlineData("中文句子。 第二句。", "中文句子。 第二句。")]
    [InlineData("End of text!", "End of text!")]
    [InlineData("", "")]
    [InlineData("  \n  ", "")]
    public void Splits_like_a_punkt_style_splitter(string text, string expected)
    {
        string[] want = expected.Length == 0 ? [] : expected.Split('|');
        Assert.Equal(want, SentenceSplitter.Split(text));
    }

    [Fact]
    public void Rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => SentenceSplitter.Split((string)null!));
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public bool Sentences_are_trimmed_non_empty_pieces_of_the_text_in_order(string? text)
    {
        text ??= string.Empty;
        var ranges = new List<Range>();
        SentenceSplitter.Split(text, ranges);
        int previousEnd = 0;
        foreach (Range range in ranges)
        {
            (int offset, int length) = range.GetOffsetAndLength(text.Length);
            if (length == 0 || offset < previousEnd || char.IsWhiteSpace(text[offset]) || char.IsWhiteSpace(text[offset + length - 1]))
            {
                return false;
            }

            previousEnd = offset + length;
        }

        // Nothing but whitespace is lost.
        string kept = string.Concat(ranges.Select(r => text[r]));
        return kept.Count(c => !char.IsWhiteSpace(c)) == text.Count(c => !char.IsWhiteSpace(c));
    }
}
