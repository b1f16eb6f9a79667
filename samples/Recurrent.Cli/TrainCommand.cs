using System.CommandLine;
using Microsoft.Extensions.Logging;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Sampling;
using Recurrent.Serialization;
using Recurrent.Text;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Cli;

/// <summary>
/// <c>train</c>: the composition root — settings → data → model → trainer → sampler → files. Without <c>--data</c> it
/// trains on the built-in corpus (<see cref="ToyGrammar"/>) and ends by comparing the model's perplexity with the best
/// achievable one.
/// </summary>
internal sealed class TrainCommand : Command
{
    /// <summary>The number of training sentences drawn from the built-in grammar (validation: a tenth of that).</summary>
    internal const int ToySentences = 100_000;

    private readonly CliConsole _console;
    private readonly CancellationToken _cancellationToken;

    private readonly Option<string?> _data = CliOptions.Path("--data", "Training text: a .csv file (see --column), a .txt file, a .gz of either, or a directory of them. Without it: the built-in corpus.");
    private readonly Option<string> _column = new("--column") { Description = "The CSV column holding the text.", DefaultValueFactory = _ => "body" };
    private readonly Option<string?> _textMode = CliOptions.Choice("--text-mode", "How text files become documents (default: paragraphs at word level, whole at char level).", "lines", "paragraphs", "whole");
    private readonly Option<string?> _level = CliOptions.Choice("--level", "Word or character level (default word).", "word", "char");
    private readonly Option<string?> _model = CliOptions.Choice("--model", "The recurrent cell (default: rnn at word level, lstm at char level).", "rnn", "lstm", "gru");
    private readonly Option<int?> _hidden = CliOptions.Int("--hidden", "Hidden units per layer (default: 100 word, 128 char).", 1, 8192);
    private readonly Option<int?> _embedding = CliOptions.Int("--embedding", "Embedding size; 0 feeds one-hot tokens as the original model did (default: 0 word, 32 char).", 0, 8192);
    private readonly Option<int?> _layers = CliOptions.Int("--layers", "Stacked recurrent layers (default: 1 word, 2 char).", 1, 16);
    private readonly Option<double?> _dropout = CliOptions.Number("--dropout", "Dropout between layers while training (default: 0 word, 0.2 char).", 0, 1, maxExclusive: true);
    private readonly Option<int?> _vocabularySize = CliOptions.Int("--vocab-size", "Vocabulary size, special tokens included; rarer tokens become UNKNOWN_TOKEN (default: 4000 word, all characters char).", 4, 1_000_000);
    private readonly Option<int?> _epochs = CliOptions.Int("--epochs", "Passes over the training data (default 1; 2 for the built-in corpus).", 1, 100_000);
    private readonly Option<int?> _maxSteps = CliOptions.Int("--max-steps", "Stop after this many optimizer steps (with no --epochs, the epochs no longer limit).", 1);
    private readonly Option<int?> _batch = CliOptions.Int("--batch", "Sentences per batch (word) or parallel lanes (char) (default: 16 word, 32 char).", 1, 4096);
    private readonly Option<int?> _bptt = CliOptions.Int("--bptt", "Char: window length of truncated BPTT (default 25). Word: longest sentence in tokens, longer ones are cut (default 50).", 1, 10_000);
    private readonly Option<string?> _optimizer = CliOptions.Choice("--optimizer", "The optimizer (default adam).", "sgd", "adam", "rmsprop", "adagrad");
    private readonly Option<double?> _learningRate = CliOptions.Number("--lr", "Learning rate (default: 0.003; 0.005 for the built-in corpus; 1 for sgd, 0.05 for adagrad).", 0, 100, minExclusive: true);
    private readonly Option<string?> _schedule = CliOptions.Choice("--schedule", "Learning-rate schedule: constant, or cosine decay over the planned steps (default: cosine for the built-in corpus, constant otherwise).", "constant", "cosine");
    private readonly Option<double?> _clip = CliOptions.Number("--clip", "Largest gradient norm, larger ones are scaled down; 0 turns clipping off (default 5).", 0, 1e6);
    private readonly Option<int?> _seed = CliOptions.Int("--seed", "Seed of initialisation, shuffling, dropout and samples (default 1).", 0);
    private readonly Option<int?> _threads = CliOptions.Int("--threads", "Threads for the matrix products (default: all cores).", 1, 1024);
    private readonly Option<double?> _validation = CliOptions.Number("--validation", "Fraction of the sentences (or documents) held out for validation (default 0.05).", 0, 0.5);
    private readonly Option<int?> _evaluateEvery = CliOptions.Int("--eval-every", "Steps between evaluations, each with a generated sample (default: about ten per run).", 1);
    private readonly Option<string> _out = new("--out", "-o") { Description = "The model file to write.", DefaultValueFactory = _ => "model.safetensors" };
    private readonly Option<string?> _checkpoint = CliOptions.Path("--checkpoint", "The checkpoint file, written at each evaluation, at the end and on Ctrl-C (default: the --out path with extension .ckpt).");
    private readonly Option<string?> _resume = CliOptions.Path("--resume", "Continue from this checkpoint (give the same data and model options as the run that wrote it).");
    private readonly Option<int?> _samples = CliOptions.Int("--samples", "Texts generated at the end (default 5).", 0, 1000);

    public TrainCommand(CliConsole console, CancellationToken cancellationToken)
        : base("train", "Train a model on your text (or the built-in corpus) with a live view; writes the model, a loss curve and a metrics CSV.")
    {
        _console = console;
        _cancellationToken = cancellationToken;
        foreach (Option option in new Option[]
        {
            _data, _column, _textMode, _level, _model, _hidden, _embedding, _layers, _dropout, _vocabularySize, _epochs, _maxSteps,
            _batch, _bptt, _optimizer, _learningRate, _schedule, _clip, _seed, _threads, _validation, _evaluateEvery, _out, _checkpoint, _resume, _samples,
        })
        {
            Add(option);
        }

        SetAction(Execute);
    }

    private int Execute(ParseResult parse)
    {
        string? data = parse.GetValue(_data);
        TrainSettings settings = Resolve(parse, data is null);
        if (parse.GetValue(_threads) is int threads)
        {
            ComputeSettings.MaxDegreeOfParallelism = threads;
        }

        string outPath = parse.GetValue(_out)!;
        string stem = Path.Combine(Path.GetDirectoryName(outPath) ?? string.Empty, Path.GetFileNameWithoutExtension(outPath));
        string checkpointPath = parse.GetValue(_checkpoint) ?? stem + ".ckpt";
        string csvPath = stem + ".metrics.csv";
        string plotPath = stem + ".loss.png";

        // Data: text → vocabulary → ids → datasets.
        (EncodedCorpus train, EncodedCorpus? validation) = data is null
            ? LoadToyCorpus(settings)
            : LoadCorpus(data, parse.GetValue(_column)!, parse.GetValue(_textMode), settings);
        Vocabulary vocabulary = train.Vocabulary;
        (ITokenDataset trainSet, ITokenDataset? validationSet) = MakeDatasets(train, validation, settings);
        _console.Log(
            $"corpus: {(data is null ? "built-in grammar" : data)} — {train.SequenceCount:N0} {(settings.IsChar ? "documents" : "sentences")}, " +
            $"{train.TokenCount:N0} tokens, vocabulary {vocabulary.Count:N0} ({vocabulary.DistinctTokenCount:N0} distinct tokens seen), " +
            $"validation {(validation is null ? 0 : validation.TokenCount):N0} tokens");

        // Model.
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = vocabulary.Count,
            EmbeddingSize = settings.Embedding,
            HiddenSize = settings.Hidden,
            Layers = settings.Layers,
            Cell = settings.Cell,
            Dropout = (float)settings.Dropout,
            Seed = settings.Seed,
        });

        // Trainer.
        long batches = trainSet.BatchesPerEpoch;
        bool epochsLimit = settings.MaxSteps == 0 || parse.GetValue(_epochs) is not null;
        long planned = epochsLimit ? settings.Epochs * batches : settings.MaxSteps;
        if (settings.MaxSteps > 0)
        {
            planned = Math.Min(planned, settings.MaxSteps);
        }

        var checkpointMetadata = new Dictionary<string, string>
        {
            ["cli.settings"] = settings.ToString(),
            ["cli.data"] = data ?? "built-in",
        };
        var trainerOptions = new TrainerOptions
        {
            Epochs = epochsLimit ? settings.Epochs : 0,
            MaxSteps = settings.MaxSteps,
            LearningRate = settings.LearningRate,
            Optimizer = CreateOptimizer(settings.Optimizer),
            Schedule = settings.Schedule == "cosine"
                ? new CosineSchedule { MinLearningRate = settings.LearningRate / 20 }
                : new ConstantSchedule(),
            MaxGradientNorm = (float)settings.Clip,
            Seed = settings.Seed,
            EvaluationInterval = settings.EvaluateEvery > 0 ? settings.EvaluateEvery : (int)Math.Max(1, planned / 10),
            ProgressInterval = (int)Math.Max(1, planned / 250), // the curve and the CSV get ~250 points
            CheckpointWriter = state => Checkpoint.Save(checkpointPath, state, model, vocabulary, train.Tokenizer, checkpointMetadata),
        };

        using ILoggerFactory loggerFactory = LoggerFactory.Create(builder =>
        {
            if (_console.Verbose)
            {
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                    .AddSimpleConsole(o => o.SingleLine = true)
                    .SetMinimumLevel(LogLevel.Information);
            }
        });
        var trainer = new Trainer(model, trainerOptions, loggerFactory.CreateLogger<Trainer>());
        if (parse.GetValue(_resume) is string resume)
        {
            Resume(trainer, resume);
        }

        _console.Log(
            $"model: {settings.Cell.ToString().ToUpperInvariant()} {settings.Layers}×{settings.Hidden}, embedding {(settings.Embedding == 0 ? "one-hot" : settings.Embedding)}, " +
            $"{model.ParameterCount:N0} parameters; {settings.Optimizer} lr {settings.LearningRate:G3} ({settings.Schedule}), batch {trainSet.BatchSize}, " +
            $"{(settings.IsChar ? "window" : "max sentence")} {settings.Bptt}; {planned:N0} steps planned on {ComputeSettings.MaxDegreeOfParallelism} thread(s)");

        // Sampler: one sample at each evaluation.
        var sampler = new Sampler(model, vocabulary, train.Tokenizer, SampleOptions(settings, seed: 0));
        var monitor = new TrainingMonitor(_console, trainerOptions.Epochs, planned);
        trainer.Evaluated += (_, p) => monitor.ShowSample(Describe(sampler.GenerateSentence(SampleOptions(settings, (ulong)p.Step))));

        TrainingResult? result = null;
        bool cancelled = false;
        try
        {
            result = monitor.Run(() => trainer.Fit(trainSet, validationSet, monitor, _cancellationToken));
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
        {
            cancelled = true; // the trainer saved the checkpoint after the last completed step
        }

        // Files: model, metrics, loss curve.
        double? best = data is null && !settings.IsChar ? ToyGrammar.EntropyPerToken() : null;
        ModelStore.Save(outPath, model, vocabulary, train.Tokenizer);
        monitor.Metrics.WriteCsv(csvPath);
        monitor.Metrics.WritePlot(plotPath, best);

        TrainingProgress? last = result?.LastEvaluation ?? monitor.LastEvaluation;
        _console.WriteLine();
        if (cancelled)
        {
            _console.WriteLine($"Stopped by Ctrl-C after step {trainer.Step:N0}. The checkpoint is kept: resume with the same command and --resume {checkpointPath}");
        }
        else
        {
            _console.WriteLine($"Finished: {result!.Steps:N0} steps, {result.Tokens:N0} tokens ({result.StopReason}).");
        }

        if (last is not null && double.IsFinite(last.ValidationLoss))
        {
            _console.WriteLine($"Validation perplexity: {last.ValidationPerplexity:F3} (loss {last.ValidationLoss:F4} nats/token)");
        }

        if (best is double entropy)
        {
            _console.WriteLine($"Best achievable:       {Math.Exp(entropy):F3} (the grammar's entropy rate, {entropy:F4} nats/token)");
        }

        int count = parse.GetValue(_samples) ?? 5;
        if (count > 0)
        {
            _console.WriteLine();
            _console.WriteLine("Generated:");
            IReadOnlyList<string> texts = sampler.GenerateSentences(count, SampleOptions(settings, (ulong)settings.Seed));
            foreach (string text in texts)
            {
                _console.WriteLine("  " + Describe(text));
            }
        }

        _console.WriteLine();
        _console.WriteLine($"Model:      {outPath}");
        _console.WriteLine($"Checkpoint: {checkpointPath}");
        _console.WriteLine($"Metrics:    {csvPath}");
        _console.WriteLine($"Loss curve: {plotPath}");
        return cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
    }

    private TrainSettings Resolve(ParseResult parse, bool toy)
    {
        string level = parse.GetValue(_level) ?? "word";
        TrainSettings d = toy && level == "word" ? TrainSettings.ToyDefaults : level == "char" ? TrainSettings.CharDefaults : TrainSettings.WordDefaults;
        string optimizer = parse.GetValue(_optimizer) ?? d.Optimizer;
        return d with
        {
            Cell = parse.GetValue(_model) switch
            {
                "rnn" => CellKind.Rnn,
                "lstm" => CellKind.Lstm,
                "gru" => CellKind.Gru,
                _ => d.Cell,
            },
            Hidden = parse.GetValue(_hidden) ?? d.Hidden,
            Embedding = parse.GetValue(_embedding) ?? d.Embedding,
            Layers = parse.GetValue(_layers) ?? d.Layers,
            Dropout = parse.GetValue(_dropout) ?? d.Dropout,
            VocabularySize = parse.GetValue(_vocabularySize) ?? d.VocabularySize,
            Epochs = parse.GetValue(_epochs) ?? d.Epochs,
            MaxSteps = parse.GetValue(_maxSteps) ?? d.MaxSteps,
            Batch = parse.GetValue(_batch) ?? d.Batch,
            Bptt = parse.GetValue(_bptt) ?? d.Bptt,
            Optimizer = optimizer,
            LearningRate = parse.GetValue(_learningRate) ?? (optimizer == "sgd" ? 1.0 : optimizer == "adagrad" ? 0.05 : d.LearningRate),
            Schedule = parse.GetValue(_schedule) ?? d.Schedule,
            Clip = parse.GetValue(_clip) ?? d.Clip,
            Seed = parse.GetValue(_seed) ?? d.Seed,
            ValidationFraction = parse.GetValue(_validation) ?? d.ValidationFraction,
            EvaluateEvery = parse.GetValue(_evaluateEvery) ?? d.EvaluateEvery,
        };
    }

    /// <summary>Builds the vocabulary from the training text and encodes it; the validation part is held out by sentence (or document).</summary>
    private static (EncodedCorpus Train, EncodedCorpus? Validation) LoadCorpus(string path, string column, string? textMode, TrainSettings settings)
    {
        TextCorpusMode mode = textMode switch
        {
            "lines" => TextCorpusMode.Lines,
            "paragraphs" => TextCorpusMode.Paragraphs,
            "whole" => TextCorpusMode.Whole,
            _ => settings.IsChar ? TextCorpusMode.Whole : TextCorpusMode.Paragraphs,
        };
        IEnumerable<string> documents = CorpusSource.Read(path, column, mode);
        EncodedCorpus corpus;
        try
        {
            corpus = TextPipeline.Build(documents, PipelineOptions(settings));
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message, e);
        }
        catch (IOException e)
        {
            throw new CliException($"Cannot read '{path}': {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"The corpus '{path}' has no text to train on ({e.Message})", e);
        }

        if (settings.ValidationFraction == 0 || corpus.SequenceCount < 2)
        {
            return (corpus, null);
        }

        (EncodedCorpus train, EncodedCorpus validation) = corpus.Split(settings.ValidationFraction, settings.Seed);
        return (train, validation.SequenceCount == 0 ? null : validation);
    }

    /// <summary>The built-in corpus: sentences drawn from <see cref="ToyGrammar"/>, validation drawn independently.</summary>
    private static (EncodedCorpus Train, EncodedCorpus Validation) LoadToyCorpus(TrainSettings settings)
    {
        EncodedCorpus train = TextPipeline.Build(ToyGrammar.Sentences(ToySentences, settings.Seed), PipelineOptions(settings));
        EncodedCorpus validation = TextPipeline.Encode(ToyGrammar.Sentences(ToySentences / 10, settings.Seed + 1_000_003), train.Vocabulary, train.Tokenizer, splitSentences: false);
        return (train, validation);
    }

    private static TextPipelineOptions PipelineOptions(TrainSettings settings) => settings.IsChar
        ? new TextPipelineOptions
        {
            // Documents (CSV values, paragraphs, files) are kept whole and joined into one stream, each ended by <eos>.
            Tokenizer = new CharTokenizer(),
            SplitSentences = false,
            Vocabulary = new VocabularyOptions { MaxSize = settings.VocabularySize, SpecialTokens = new SpecialTokens { SentenceEnd = "<eos>" } },
        }
        : new TextPipelineOptions
        {
            // The original model: lower-cased words, one sequence per sentence, SENTENCE_START … SENTENCE_END.
            Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }),
            SplitSentences = true,
            Vocabulary = new VocabularyOptions { MaxSize = settings.VocabularySize, SpecialTokens = SpecialTokens.Original },
        };

    private static (ITokenDataset Train, ITokenDataset? Validation) MakeDatasets(EncodedCorpus train, EncodedCorpus? validation, TrainSettings settings)
    {
        if (!settings.IsChar)
        {
            var options = new SentenceDatasetOptions { Seed = settings.Seed, MaxSteps = settings.Bptt };
            return (train.ToSentenceDataset(settings.Batch, options),
                validation?.ToSentenceDataset(settings.Batch, new SentenceDatasetOptions { Shuffle = false, MaxSteps = settings.Bptt }));
        }

        // Stream mode: B contiguous lanes carrying their state from window to window; fewer lanes when the text is short.
        int[] stream = train.ToStream();
        int lanes = Math.Min(settings.Batch, (stream.Length - 1) / settings.Bptt);
        if (lanes < 1)
        {
            throw new CliException($"The corpus has {stream.Length:N0} characters, too few for one window of --bptt {settings.Bptt}.");
        }

        var trainSet = new StreamDataset(stream, lanes, settings.Bptt, null);
        StreamDataset? validationSet = null;
        if (validation is not null)
        {
            int[] held = validation.ToStream();
            int validationLanes = Math.Min(settings.Batch, (held.Length - 1) / settings.Bptt);
            validationSet = validationLanes < 1 ? null : new StreamDataset(held, validationLanes, settings.Bptt, null);
        }

        return (trainSet, validationSet);
    }

    private static Optimizer CreateOptimizer(string name) => name switch
    {
        "sgd" => new Sgd(),
        "rmsprop" => new RmsProp(),
        "adagrad" => new Adagrad(),
        _ => new Adam(),
    };

    private static SamplingOptions SampleOptions(TrainSettings settings, ulong seed) => new()
    {
        MaxLength = settings.IsChar ? 200 : 50,
        Seed = seed,
    };

    private static string Describe(string text) => text.ReplaceLineEndings(" ⏎ ");

    private void Resume(Trainer trainer, string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"The checkpoint '{path}' does not exist.");
        }

        try
        {
            trainer.RestoreState(Checkpoint.Load(path).State);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            // InvalidDataException: a bad file; ArgumentException: a checkpoint of another model shape or optimizer.
            throw new CliException($"Cannot resume from '{path}': {e.Message}", e);
        }

        _console.Log($"resumed from {path} at step {trainer.Step:N0} (epoch {trainer.Epoch + 1})");
    }
}
