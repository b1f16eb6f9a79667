using Recurrent.Data;
using Recurrent.Tests.TestUtilities;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class RedditCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Reddit_csv_with_the_original_settings_gives_sane_counts()
    {
        string path = TestData.RequireFile(TestData.RedditCsv);

        // The original: csv.reader(skipinitialspace=True), skip the header, lower-case, sentence-split, word-tokenize,
        // wrap in SENTENCE_START/SENTENCE_END, keep the most frequent words (here 4,000 with the three special tokens).
        var csv = new CsvCorpus(path, new CsvCorpusOptions { ColumnName = "body", TrimFields = true });
        EncodedCorpus corpus = TextPipeline.Build(csv, new TextPipelineOptions
        {
            Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }),
            SplitSentences = true,
            Vocabulary = new VocabularyOptions { MaxSize = 4000, SpecialTokens = SpecialTokens.Original },
        });
        Vocabulary vocabulary = corpus.Vocabulary;
        output.WriteLine($"records {csv.RecordsRead}, sentences {corpus.SequenceCount}, tokens {corpus.TokenCount}, " +
            $"distinct {vocabulary.DistinctTokenCount}, least frequent '{vocabulary.LeastFrequentToken}' x{vocabulary.LeastFrequentCount}, " +
            $"unknown {vocabulary.GetCount(vocabulary.UnknownId!.Value)}");

        // The data README: 5,013 records, about 29.8k sentences by a rough regex split, about 574k tokens.
        Assert.Equal(5013, csv.RecordsRead);
        Assert.Equal(0, csv.SkippedRecords);
        Assert.InRange(corpus.SequenceCount, 24_000, 40_000);
        Assert.InRange(corpus.TokenCount, 450_000, 700_000);
        Assert.Equal(4000, vocabulary.Count);
        Assert.Equal(corpus.SequenceCount, vocabulary.GetCount(vocabulary.SentenceStartId!.Value));
        Assert.Equal(corpus.SequenceCount, vocabulary.GetCount(vocabulary.SentenceEndId!.Value));
        Assert.True(vocabulary.DistinctTokenCount > 4000, "a comment corpus has far more distinct words than 4,000");
        Assert.InRange(vocabulary.LeastFrequentCount, 2, 100);
        Assert.All(vocabulary.Tokens.Skip(3), t => Assert.Equal(t.ToLowerInvariant(), t));

        // Frequent English words and punctuation come first; unknown words are a minority of the text.
        string[] top = [.. vocabulary.Tokens.Skip(3).Take(10)];
        Assert.Contains("the", top);
        Assert.Contains(".", top);
        long unknown = vocabulary.GetCount(vocabulary.UnknownId!.Value);
        Assert.InRange(unknown, 1, corpus.TokenCount / 5);

        // Every id is in range and the corpus batches.
        SentenceDataset dataset = corpus.ToSentenceDataset(32, new SentenceDatasetOptions { Seed = 1 });
        Assert.Equal(corpus.TokenCount + corpus.SequenceCount, dataset.TokensPerEpoch);
    }
}
