using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class VocabularyTests
{
    private static readonly string[] s_corpus = "b a c a b a d e d c x".Split(' ');

    [Fact]
    public void Orders_specials_first_then_by_count_with_ties_by_first_occurrence()
    {
        // counts: a 3, b 2, c 2, d 2, e 1, x 1; ties b, c, d keep first-occurrence order, e before x.
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, new VocabularyOptions { SpecialTokens = SpecialTokens.Original });
        Assert.Equal(["UNKNOWN_TOKEN", "SENTENCE_START", "SENTENCE_END", "a", "b", "c", "d", "e", "x"], vocabulary.Tokens);
        Assert.Equal(0, vocabulary.UnknownId);
        Assert.Equal(1, vocabulary.SentenceStartId);
        Assert.Equal(2, vocabulary.SentenceEndId);
        Assert.Equal(3, vocabulary.GetCount(vocabulary.GetId("a")));
        Assert.Equal(6, vocabulary.DistinctTokenCount);
        Assert.Equal(11, vocabulary.TotalTokenCount);
        Assert.Equal("x", vocabulary.LeastFrequentToken);
        Assert.Equal(1, vocabulary.LeastFrequentCount);
    }

    [Fact]
    public void MaxSize_counts_specials_and_cut_tokens_map_to_unknown()
    {
        var options = new VocabularyOptions { MaxSize = 4, SpecialTokens = new SpecialTokens { Unknown = "<unk>" } };
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, options);
        Assert.Equal(["<unk>", "a", "b", "c"], vocabulary.Tokens);
        Assert.Equal(0, vocabulary.GetId("zzz"));
        Assert.Equal(0, vocabulary.GetId("d"));
        Assert.False(vocabulary.TryGetId("d", out int missing));
        Assert.Equal(-1, missing);
        Assert.Equal(4, vocabulary.GetCount(0)); // d, d, e, x were cut
        Assert.Equal("c", vocabulary.LeastFrequentToken);
        Assert.Equal(2, vocabulary.LeastFrequentCount);
        Assert.Null(vocabulary.SentenceStartId);
    }

    [Fact]
    public void MinCount_drops_rare_tokens()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, new VocabularyOptions { MinCount = 2 });
        Assert.Equal(["a", "b", "c", "d"], vocabulary.Tokens);
    }

    [Fact]
    public void Without_an_unknown_token_unknown_lookups_throw()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, null);
        Assert.Null(vocabulary.UnknownId);
        ArgumentException e = Assert.Throws<ArgumentException>(() => vocabulary.GetId("nope"));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => vocabulary.Encode(["a", "nope"]));
    }

    [Fact]
    public void Encode_and_decode_round_trip()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, null);
        int[] ids = vocabulary.Encode(s_corpus);
        Assert.All(ids, id => Assert.InRange(id, 0, vocabulary.Count - 1));
        Assert.Equal(s_corpus, vocabulary.Decode(ids));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([0, vocabulary.Count]));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.GetToken(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.GetCount(vocabulary.Count));
    }

    [Fact]
    public void The_same_corpus_always_gives_the_same_ids()
    {
        string[] tokens = new WordTokenizer().Tokenize("the cat and the dog and a bird , the end .").ToArray();
        var options = new VocabularyOptions { MaxSize = 6, SpecialTokens = SpecialTokens.Default };
        Vocabulary first = Vocabulary.Build(tokens, options);
        Vocabulary second = Vocabulary.Build(tokens.ToList(), options);
        Vocabulary fromSequences = Vocabulary.Build([tokens[..5], tokens[5..]], options);
        Assert.Equal(first.Tokens, second.Tokens);
        Assert.Equal(first.Tokens, fromSequences.Tokens);
        Assert.Equal(first.ToJson(), fromSequences.ToJson());
    }

    [Fact]
    public void Json_round_trip_keeps_everything()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus.Append("\"quoted\"").Append("ünï\U0001F600"), new VocabularyOptions { MaxSize = 7, SpecialTokens = SpecialTokens.Original });
        Vocabulary copy = Vocabulary.FromJson(vocabulary.ToJson());
        Assert.Equal(vocabulary.Tokens, copy.Tokens);
        Assert.Equal(Enumerable.Range(0, vocabulary.Count).Select(vocabulary.GetCount), Enumerable.Range(0, copy.Count).Select(copy.GetCount));
        Assert.Equal(vocabulary.UnknownId, copy.UnknownId);
        Assert.Equal(vocabulary.SentenceEndId, copy.SentenceEndId);
        Assert.Equal(vocabulary.DistinctTokenCount, copy.DistinctTokenCount);
        Assert.Equal(vocabulary.TotalTokenCount, copy.TotalTokenCount);
        Assert.Equal(vocabulary.LeastFrequentToken, copy.LeastFrequentToken);
        Assert.Equal(vocabulary.ToJson(), copy.ToJson());
    }

    [Fact]
    public void Json_matches_the_documented_example()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, new VocabularyOptions { MaxSize = 5, SpecialTokens = SpecialTokens.Original });
        const string expected = "{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{\"unknown\":\"UNKNOWN_TOKEN\","
            + "\"sentenceStart\":\"SENTENCE_START\",\"sentenceEnd\":\"SENTENCE_END\"},\"distinctTokenCount\":6,\"totalTokenCount\":11,"
            + "\"tokens\":[\"UNKNOWN_TOKEN\",\"SENTENCE_START\",\"SENTENCE_END\",\"a\",\"b\"],\"counts\":[6,0,0,3,2]}";
        Assert.Equal(expected, vocabulary.ToJson());
    }

    [Fact]
    public void Save_and_Load_round_trip_through_a_file()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank });
        string path = Path.Combine(Path.GetTempPath(), $"vocab-{Guid.NewGuid():N}.json");
        try
        {
            vocabulary.Save(path);
            Vocabulary loaded = Vocabulary.Load(path);
            Assert.Equal(vocabulary.Tokens, loaded.Tokens);
            Assert.Equal(vocabulary.SentenceEndId, loaded.SentenceEndId);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(path));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"format\":\"other\",\"version\":1}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":2}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{},\"distinctTokenCount\":1,\"totalTokenCount\":1,\"tokens\":[\"a\",\"a\"],\"counts\":[1,1]}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{},\"distinctTokenCount\":1,\"totalTokenCount\":1,\"tokens\":[\"a\"],\"counts\":[1,2]}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{\"unknown\":\"<unk>\"},\"distinctTokenCount\":1,\"totalTokenCount\":1,\"tokens\":[\"a\"],\"counts\":[1]}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{},\"distinctTokenCount\":1,\"totalTokenCount\":1,\"tokens\":[\"\"],\"counts\":[1]}")]
    [InlineData("{\"format\":\"recurrent-vocabulary\",\"version\":1,\"specialTokens\":{},\"distinctTokenCount\":1,\"totalTokenCount\":1,\"tokens\":[\"a\"],\"counts\":[-1]}")]
    public void FromJson_rejects_bad_documents_with_InvalidDataException(string json)
    {
        Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(json));
    }

    [Fact]
    public void Build_rejects_bad_input()
    {
        Assert.Throws<ArgumentNullException>(() => Vocabulary.Build((IEnumerable<string>)null!, null));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(Array.Empty<string>(), null));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(s_corpus, new VocabularyOptions { MaxSize = 2, SpecialTokens = SpecialTokens.Original }));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(s_corpus, new VocabularyOptions { MaxSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(s_corpus, new VocabularyOptions { MinCount = 0 }));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(s_corpus, new VocabularyOptions { SpecialTokens = new SpecialTokens { Unknown = "x", SentenceEnd = "x" } }));
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(s_corpus, new VocabularyOptions { SpecialTokens = new SpecialTokens { Unknown = "" } }));
    }

    [Fact]
    public void MaxSize_equal_to_the_specials_keeps_only_specials()
    {
        Vocabulary vocabulary = Vocabulary.Build(s_corpus, new VocabularyOptions { MaxSize = 3, SpecialTokens = SpecialTokens.Original });
        Assert.Equal(3, vocabulary.Count);
        Assert.Null(vocabulary.LeastFrequentToken);
        Assert.Equal(s_corpus.Length, vocabulary.GetCount(0));
    }
}
