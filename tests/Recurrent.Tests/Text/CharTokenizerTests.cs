using FsCheck.Xunit;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class CharTokenizerTests
{
    [Fact]
    public void One_token_per_scalar_value_never_splitting_a_surrogate_pair()
    {
        var tokenizer = new CharTokenizer();
        Assert.Equal(["a", "\U0001F600", "é", " ", "\n"], tokenizer.Tokenize("a\U0001F600é \n"));
    }

    [Fact]
    public void Lower_case_option_lowers_each_character()
    {
        var tokenizer = new CharTokenizer(new CharTokenizerOptions { LowerCase = true });
        Assert.Equal(["a", "b", "é", "\U00010428"], tokenizer.Tokenize("AbÉ\U00010400")); // Deseret capital → small
    }

    [Fact]
    public void Lone_surrogates_are_their_own_tokens()
    {
        var tokenizer = new CharTokenizer();
        string text = "x\uD800y\uDC00";
        Assert.Equal(["x", "\uD800", "y", "\uDC00"], tokenizer.Tokenize(text));
    }

    [Property(MaxTest = 300)]
    public bool Round_trips_any_string(string? text)
    {
        var tokenizer = new CharTokenizer();
        text ??= string.Empty;
        IReadOnlyList<string> tokens = tokenizer.Tokenize(text);
        return tokenizer.Detokenize(tokens) == text && tokens.All(t => t.Length is 1 or 2);
    }
}
