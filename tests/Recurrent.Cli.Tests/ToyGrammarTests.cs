using Recurrent.Data;
using Recurrent.Text;

namespace Recurrent.Cli.Tests;

/// <summary>The built-in corpus: its text reads back as exactly the grammar's tokens, so the entropy comparison holds.</summary>
public sealed class ToyGrammarTests
{
    [Fact]
    public void The_word_pipeline_reads_back_every_grammar_word_as_one_token()
    {
        var random = new DeterministicRandom(3);
        List<string>[] sentences = [.. Enumerable.Range(0, 500).Select(_ => ToyGrammar.Sample(random))];
        EncodedCorpus corpus = TextPipeline.Build(
            sentences.Select(s => string.Join(' ', s)),
            new TextPipelineOptions { Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }), SplitSentences = false });
        Assert.Equal(sentences.Length, corpus.SequenceCount);
        for (int i = 0; i < sentences.Length; i++)
        {
            Assert.Equal(sentences[i], corpus.Vocabulary.Decode(corpus.GetSequence(i)));
        }
    }

    [Fact]
    public void The_entropy_rate_is_below_the_unigram_entropy_of_sampled_text()
    {
        var random = new DeterministicRandom(5);
        int tokens = 0;
        var sentences = Enumerable.Range(0, 20_000).Select(_ => ToyGrammar.Sample(random)).ToList();
        foreach (List<string> s in sentences)
        {
            tokens += s.Count + 1;
        }

        double rate = ToyGrammar.EntropyPerToken();
        Assert.InRange(rate, 0.5, 2.5);
        Assert.True(tokens > 20_000);
        // An upper bound any model must respect: the unigram entropy of the tokens is at least the entropy rate.
        double unigram = sentences.SelectMany(s => s.Append("</s>")).GroupBy(w => w)
            .Select(g => (double)g.Count() / tokens).Sum(p => -p * Math.Log(p));
        Assert.True(unigram > rate, $"unigram {unigram} vs rate {rate}");
    }
}
