using Recurrent.Data;
using Recurrent.Text;

namespace Recurrent.Experiments;

/// <summary>The datasets of a run, with the vocabulary and tokenizer to save with the model and to sample with.</summary>
internal sealed class ExperimentData
{
    /// <summary>Relative path of the PTB training file under the data folder.</summary>
    public const string PtbTrain = "ptb/ptb.train.txt.gz";

    /// <summary>Relative path of the PTB validation file under the data folder.</summary>
    public const string PtbValid = "ptb/ptb.valid.txt";

    /// <summary>Relative path of tiny Shakespeare under the data folder.</summary>
    public const string TinyShakespeare = "tinyshakespeare/input.txt";

    /// <summary>Relative path of the reddit comments CSV under the data folder.</summary>
    public const string RedditCsv = "reddit-comments-2015-08/reddit-comments-2015-08.first5013.csv";

    private ExperimentData(ITokenDataset train, ITokenDataset validation, Vocabulary vocabulary, ITokenizer tokenizer, long trainTokens, long validationTokens, string description)
    {
        Train = train;
        Validation = validation;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        TrainTokens = trainTokens;
        ValidationTokens = validationTokens;
        Description = description;
    }

    /// <summary>Gets the training set.</summary>
    public ITokenDataset Train { get; }

    /// <summary>Gets the validation set.</summary>
    public ITokenDataset Validation { get; }

    /// <summary>Gets the vocabulary (built from the training text only).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Gets the tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>Gets the training tokens (targets) per epoch.</summary>
    public long TrainTokens { get; }

    /// <summary>Gets the validation tokens (targets).</summary>
    public long ValidationTokens { get; }

    /// <summary>Gets a one-line description of the data.</summary>
    public string Description { get; }

    /// <summary>Loads the corpus of an experiment from the data folder.</summary>
    public static ExperimentData Load(Experiment experiment, string dataDirectory, int seed) => experiment.Corpus switch
    {
        CorpusKind.PennTreebank => LoadPennTreebank(experiment, dataDirectory, seed),
        CorpusKind.TinyShakespeare => LoadShakespeare(experiment, dataDirectory, seed),
        CorpusKind.RedditComments => LoadReddit(experiment, dataDirectory, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(experiment)),
    };

    private static string Require(string dataDirectory, string relative)
    {
        string path = Path.Combine(dataDirectory, relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Corpus file not found: {path} (use --data-dir).", path);
    }

    private static ExperimentData LoadPennTreebank(Experiment experiment, string dataDirectory, int seed)
    {
        // One sentence per line, already tokenized (<unk>, N, 's are tokens); <eos> after each line; the files' own 10k vocabulary.
        var tokenizer = new WhitespaceTokenizer();
        EncodedCorpus train = TextPipeline.Build(TextCorpus.Read(Require(dataDirectory, PtbTrain), TextCorpusMode.Lines), new TextPipelineOptions
        {
            Tokenizer = tokenizer,
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { SpecialTokens = SpecialTokens.PennTreebank },
        });
        EncodedCorpus valid = TextPipeline.Encode(TextCorpus.Read(Require(dataDirectory, PtbValid), TextCorpusMode.Lines), train.Vocabulary, tokenizer, splitSentences: false);
        return Streams(experiment, train, valid, tokenizer, seed, $"PTB train {train.SequenceCount:N0} lines, valid {valid.SequenceCount:N0} lines");
    }

    private static ExperimentData LoadShakespeare(Experiment experiment, string dataDirectory, int seed)
    {
        // Character level: the first 90% of the characters train, the last 10% validate.
        string text = TextCorpus.ReadAllText(Require(dataDirectory, TinyShakespeare));
        int cut = (int)(text.Length * 0.9);
        var tokenizer = new CharTokenizer();
        EncodedCorpus train = TextPipeline.Build([text[..cut]], new TextPipelineOptions { Tokenizer = tokenizer, SplitSentences = false });
        EncodedCorpus valid = TextPipeline.Encode([text[cut..]], train.Vocabulary, tokenizer, splitSentences: false);
        return Streams(experiment, train, valid, tokenizer, seed, $"tiny Shakespeare {text.Length:N0} characters, split at character {cut:N0}");
    }

    private static ExperimentData Streams(Experiment experiment, EncodedCorpus train, EncodedCorpus valid, ITokenizer tokenizer, int seed, string description)
    {
        // Stream mode: B contiguous lanes, windows of T steps, the state carried from window to window (truncated BPTT).
        var trainSet = new StreamDataset(train.ToStream(), experiment.BatchSize, experiment.Steps, new StreamDatasetOptions { Seed = seed });
        var validSet = new StreamDataset(valid.ToStream(), experiment.BatchSize, experiment.Steps, new StreamDatasetOptions { Seed = seed });
        return new ExperimentData(trainSet, validSet, train.Vocabulary, tokenizer, trainSet.TokensPerEpoch, validSet.TokensPerEpoch, description);
    }

    private static ExperimentData LoadReddit(Experiment experiment, string dataDirectory, int seed)
    {
        // The original's preprocessing: lower-cased NLTK-style words, one sequence per sentence, SENTENCE_START … SENTENCE_END,
        // the most frequent words + UNKNOWN_TOKEN; here the comments are split 90/10 before the vocabulary is built.
        var comments = new CsvCorpus(Require(dataDirectory, RedditCsv), new CsvCorpusOptions { ColumnName = "body" }).ToList();
        (IReadOnlyList<string> trainComments, IReadOnlyList<string> validComments) = TrainValidationSplit.Split(comments, 0.1, seed);
        var tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true });
        EncodedCorpus train = TextPipeline.Build(trainComments, new TextPipelineOptions
        {
            Tokenizer = tokenizer,
            SplitSentences = true,
            Vocabulary = new VocabularyOptions { MaxSize = experiment.VocabularySize, SpecialTokens = SpecialTokens.Original },
        });
        EncodedCorpus valid = TextPipeline.Encode(validComments, train.Vocabulary, tokenizer, splitSentences: true);
        SentenceDataset trainSet = train.ToSentenceDataset(experiment.BatchSize, new SentenceDatasetOptions { Seed = seed });
        SentenceDataset validSet = valid.ToSentenceDataset(32, new SentenceDatasetOptions { Shuffle = false });
        return new ExperimentData(trainSet, validSet, train.Vocabulary, tokenizer, trainSet.TokensPerEpoch, validSet.TokensPerEpoch,
            $"reddit {comments.Count:N0} comments ({trainComments.Count:N0} train / {validComments.Count:N0} validation), " +
            $"{train.SequenceCount:N0} / {valid.SequenceCount:N0} sentences");
    }
}
