using Recurrent.Data;
using Recurrent.Tests.TestUtilities;
using Recurrent.Text;

namespace Recurrent.Tests.Data;

public class TextPipelineTests
{
    private static readonly string[] s_documents =
    [
        "The cat sat. The dog ran!",
        "A bird sang.\nThe end.",
        "",
        "Another one? Yes.",
    ];

    [Fact]
    public void Builds_sentences_vocabulary_and_ids_in_one_pass()
    {
        EncodedCorpus corpus = TextPipeline.Build(s_documents, new TextPipelineOptions
        {
            Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }),
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.Original },
        });
        Assert.Equal(6, corpus.SequenceCount);
        Vocabulary vocabulary = corpus.Vocabulary;
        Assert.Equal(["the", "cat", "sat", "."], vocabulary.Decode(corpus.GetSequence(0)));
        Assert.Equal(["yes", "."], vocabulary.Decode(corpus.GetSequence(5)));
        Assert.Equal(6, vocabulary.GetCount(vocabulary.SentenceStartId!.Value));

        // The same ids as tokenizing and building separately.
        var tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true });
        var tokens = s_documents.SelectMany(d => SentenceSplitter.Split(d)).SelectMany(tokenizer.Tokenize).ToList();
        Vocabulary direct = Vocabulary.Build(
            tokens.Concat(Enumerable.Repeat("SENTENCE_START", 6)).Concat(Enumerable.Repeat("SENTENCE_END", 6)),
            new VocabularyOptions { SpecialTokens = SpecialTokens.Original });
        Assert.Equal(direct.Tokens, vocabulary.Tokens);
    }

    [Fact]
    public void Encode_uses_an_existing_vocabulary_and_maps_unknowns()
    {
        EncodedCorpus train = TextPipeline.Build(s_documents, new TextPipelineOptions
        {
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.Default },
        });
        EncodedCorpus valid = TextPipeline.Encode(["The zebra sat."], train.Vocabulary, train.Tokenizer, splitSentences: true);
        Assert.Equal(["The", "<unk>", "sat", "."], train.Vocabulary.Decode(valid.GetSequence(0)));
    }

    [Fact]
    public void Without_an_unknown_token_cut_tokens_are_dropped_and_counted()
    {
        EncodedCorpus corpus = TextPipeline.Build(["aab", "ab"], new TextPipelineOptions
        {
            Tokenizer = new CharTokenizer(),
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { MaxSize = 1 },
        });
        Assert.Equal(["a"], corpus.Vocabulary.Tokens);
        Assert.Equal(2, corpus.DroppedTokenCount);
        Assert.Equal(3, corpus.TokenCount);
    }

    [Fact]
    public void Stream_adds_sentence_end_after_each_sequence_like_ptb()
    {
        EncodedCorpus corpus = TextPipeline.Build([" a b ", " b <unk> "], new TextPipelineOptions
        {
            Tokenizer = new WhitespaceTokenizer(),
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank },
        });
        Assert.Equal(["a", "b", "<eos>", "b", "<unk>", "<eos>"], corpus.Vocabulary.Decode(corpus.ToStream()));
        StreamDataset dataset = corpus.ToStreamDataset(1, 2, null);
        Assert.Equal(5, dataset.TokensPerEpoch);
    }

    [Fact]
    public void Split_is_deterministic_and_partitions_the_sequences()
    {
        EncodedCorpus corpus = TextPipeline.Build(s_documents, new TextPipelineOptions());
        (EncodedCorpus train, EncodedCorpus valid) = corpus.Split(0.34, seed: 3);
        (EncodedCorpus train2, EncodedCorpus valid2) = corpus.Split(0.34, seed: 3);
        Assert.Equal(2, valid.SequenceCount);
        Assert.Equal(4, train.SequenceCount);
        Assert.Equal(corpus.TokenCount, train.TokenCount + valid.TokenCount);
        Assert.Equal(valid.GetSequence(0).ToArray(), valid2.GetSequence(0).ToArray());
        Assert.Equal(train.GetSequence(3).ToArray(), train2.GetSequence(3).ToArray());
        Assert.Same(corpus.Vocabulary, train.Vocabulary);
    }

    [Fact]
    public void Empty_or_null_input_is_a_clear_error()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => TextPipeline.Build(["", "  \n "], new TextPipelineOptions()));
        Assert.Contains("no tokens", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => TextPipeline.Build([null!], new TextPipelineOptions()));
        Assert.Throws<ArgumentNullException>(() => TextPipeline.Build(null!, new TextPipelineOptions()));
    }

    [Fact]
    public void Tiny_shakespeare_at_character_level_streams()
    {
        string path = TestData.RequireFile(TestData.TinyShakespeare);
        EncodedCorpus corpus = TextPipeline.Build(TextCorpus.Read(path, TextCorpusMode.Whole), new TextPipelineOptions
        {
            Tokenizer = new CharTokenizer(),
            SplitSentences = false,
        });
        Assert.Equal(65, corpus.Vocabulary.Count); // the data README: 65 distinct characters
        Assert.Equal(1_115_394, corpus.TokenCount); // ASCII: one token per byte
        StreamDataset dataset = corpus.ToStreamDataset(50, 50, new StreamDatasetOptions { Stride = 3 });
        Assert.True(dataset.BatchesPerEpoch > 0);
    }

    [Fact]
    public void Ptb_train_with_its_own_tokens_has_the_known_size()
    {
        string path = TestData.RequireFile(TestData.PtbTrain);
        EncodedCorpus corpus = TextPipeline.Build(TextCorpus.Read(path, TextCorpusMode.Lines), new TextPipelineOptions
        {
            Tokenizer = new WhitespaceTokenizer(),
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank },
        });

        // The data README: 42,068 lines, 887,521 tokens, 929,589 with <eos>; Mikolov's 10k vocabulary.
        Assert.Equal(42_068, corpus.SequenceCount);
        Assert.Equal(887_521, corpus.TokenCount);
        Assert.Equal(929_589, corpus.ToStream().Length);
        Assert.Equal(10_000, corpus.Vocabulary.Count);
    }
}
