using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class TokenizerBaseTests
{
    /// <summary>A toy tokenizer: every letter is a token, everything else is dropped.</summary>
    private sealed class LetterTokenizer : TokenizerBase
    {
        public int CoreCalls { get; private set; }

        public string? LastText { get; private set; }

        public override TokenizerDescription Describe() => new("letters");

        protected override IReadOnlyList<string> TokenizeCore(string? text, ReadOnlySpan<char> textSpan)
        {
            CoreCalls++;
            LastText = text;
            var tokens = new List<string>();
            foreach (char c in textSpan)
            {
                if (char.IsLetter(c))
                {
                    tokens.Add(c.ToString());
                }
            }

            return tokens;
        }

        protected override string DetokenizeCore(IReadOnlyList<string> tokens) => string.Concat(tokens);
    }

    [Fact]
    public void Both_overloads_funnel_into_the_core()
    {
        var tokenizer = new LetterTokenizer();
        Assert.Equal(["a", "b"], tokenizer.Tokenize("a1b"));
        Assert.Equal("a1b", tokenizer.LastText);
        Assert.Equal(["c"], tokenizer.Tokenize("c2".AsSpan()));
        Assert.Null(tokenizer.LastText);
        Assert.Equal(2, tokenizer.CoreCalls);
        Assert.Equal("ab", tokenizer.Detokenize(["a", "b"]));
    }

    [Fact]
    public void The_base_validates_arguments_before_the_core()
    {
        var tokenizer = new LetterTokenizer();
        Assert.Throws<ArgumentNullException>(() => tokenizer.Tokenize((string)null!));
        Assert.Throws<ArgumentNullException>(() => tokenizer.Detokenize(null!));
        Assert.Throws<ArgumentException>(() => tokenizer.Detokenize(["a", null!]));
        Assert.Equal(0, tokenizer.CoreCalls);
    }

    [Fact]
    public void The_fast_path_falls_back_to_the_core_for_custom_tokenizers()
    {
        var buffer = new TokenBuffer();
        TokenizerBase.TokenizeInto(new LetterTokenizer(), "x-y", buffer);
        Assert.Equal(["x", "y"], buffer.ToArray());
    }

    public static TheoryData<ITokenizer> BuiltIns() =>
    [
        new WordTokenizer(),
        new WordTokenizer(new WordTokenizerOptions { LowerCase = true, DecodeHtmlEntities = false, SplitContractions = false }),
        new CharTokenizer(),
        new CharTokenizer(new CharTokenizerOptions { LowerCase = true }),
        new WhitespaceTokenizer(),
        new WhitespaceTokenizer(lowerCase: true),
    ];

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Describe_and_Create_rebuild_an_equivalent_tokenizer(ITokenizer tokenizer)
    {
        TokenizerDescription description = tokenizer.Describe();
        ITokenizer rebuilt = Tokenizers.Create(description);
        Assert.Equal(tokenizer.GetType(), rebuilt.GetType());
        Assert.Equal(description.Settings, rebuilt.Describe().Settings);
        const string sample = "Don't SHOUT &amp; <unk> it's 3.5 \U0001F600";
        Assert.Equal(tokenizer.Tokenize(sample), rebuilt.Tokenize(sample));
    }

    [Fact]
    public void Create_rejects_unknown_kinds_and_bad_settings()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizers.Create(null!));
        Assert.Throws<ArgumentException>(() => Tokenizers.Create(new TokenizerDescription("bpe")));
        Assert.Throws<ArgumentException>(() => Tokenizers.Create(new TokenizerDescription("char", new Dictionary<string, string> { ["lowerCase"] = "maybe" })));
        Assert.Throws<ArgumentException>(() => Tokenizers.Create(new TokenizerDescription("word", new Dictionary<string, string> { ["colour"] = "true" })));
        Assert.Throws<ArgumentException>(() => new TokenizerDescription(" "));
    }

    [Fact]
    public void Whitespace_tokenizer_keeps_pre_tokenized_text()
    {
        var tokenizer = new WhitespaceTokenizer();
        Assert.Equal(["the", "<unk>", "of", "N", "years"], tokenizer.Tokenize(" the <unk> of N years \n"));
        Assert.Equal("a b", tokenizer.Detokenize(["a", "b"]));
    }
}
