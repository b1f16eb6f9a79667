using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Recurrent.Data;
using Recurrent.Text;

namespace Recurrent.Benchmarks.Text;

/// <summary>
/// Throughput of the text pipeline on the shared corpora: sentence splitting + word tokenization (reddit CSV,
/// tiny Shakespeare), and vocabulary build + encoding (PTB train). Corpora are read in the setup, not timed.
/// Run: <c>dotnet run -c Release --project benchmarks/Recurrent.Benchmarks -- --filter *TextThroughput*</c>.
/// </summary>
[Config(typeof(Config))]
public class TextThroughputBenchmarks
{
    private readonly WordTokenizer _lowerWords = new(new WordTokenizerOptions { LowerCase = true });
    private readonly TokenBuffer _buffer = new();
    private readonly List<Range> _sentences = [];
    private string[] _reddit = [];
    private string _shakespeare = string.Empty;
    private string[] _ptbLines = [];
    private string[] _ptbTokens = [];
    private Vocabulary _ptbVocabulary = null!;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun);
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(new ThroughputColumn());
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _reddit = BenchmarkCorpora.RedditBodies();
        _shakespeare = BenchmarkCorpora.Shakespeare();
        _ptbLines = BenchmarkCorpora.PtbLines();
        _ptbTokens = [.. _ptbLines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
        _ptbVocabulary = Vocabulary.Build(_ptbTokens, new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank });
    }

    /// <summary>Sentence split + lower-cased word tokenization of every comment, through the allocation-light internal path.</summary>
    [Benchmark]
    public int Reddit_SplitTokenize()
    {
        int tokens = 0;
        foreach (string body in _reddit)
        {
            tokens += SplitTokenize(body);
        }

        return tokens;
    }

    /// <summary>The same through the public API (a string per sentence and per token).</summary>
    [Benchmark]
    public int Reddit_SplitTokenize_PublicApi()
    {
        int tokens = 0;
        foreach (string body in _reddit)
        {
            foreach (string sentence in SentenceSplitter.Split(body))
            {
                tokens += _lowerWords.Tokenize(sentence).Count;
            }
        }

        return tokens;
    }

    /// <summary>The whole reddit pipeline: split, tokenize, count, build a 4,000-entry vocabulary, encode.</summary>
    [Benchmark]
    public long Reddit_Pipeline() =>
        TextPipeline.Build(_reddit, new TextPipelineOptions
        {
            Tokenizer = _lowerWords,
            Vocabulary = new VocabularyOptions { MaxSize = 4000, SpecialTokens = SpecialTokens.Original },
        }).TokenCount;

    /// <summary>Sentence split + lower-cased word tokenization of tiny Shakespeare (one document).</summary>
    [Benchmark]
    public int Shakespeare_SplitTokenize() => SplitTokenize(_shakespeare);

    /// <summary>PTB train, one pass: whitespace tokenization, counting, vocabulary build (10k) and encoding.</summary>
    [Benchmark]
    public long Ptb_Pipeline() =>
        TextPipeline.Build(_ptbLines, new TextPipelineOptions
        {
            Tokenizer = new WhitespaceTokenizer(),
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank },
        }).TokenCount;

    /// <summary>PTB train: building the vocabulary from the 887,521 pre-split tokens.</summary>
    [Benchmark]
    public int Ptb_VocabularyBuild() =>
        Vocabulary.Build(_ptbTokens, new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank }).Count;

    /// <summary>PTB train: encoding the 887,521 pre-split tokens with the built vocabulary.</summary>
    [Benchmark]
    public int Ptb_Encode() => _ptbVocabulary.Encode(_ptbTokens).Length;

    private int SplitTokenize(string text)
    {
        int tokens = 0;
        _sentences.Clear();
        SentenceSplitter.Split(text, _sentences);
        foreach (Range sentence in _sentences)
        {
            _buffer.Clear();
            _lowerWords.TokenizeInto(text.AsSpan()[sentence], _buffer);
            tokens += _buffer.Count;
        }

        return tokens;
    }
}
