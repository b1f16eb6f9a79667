using System.CommandLine;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Cli;

/// <summary><c>evaluate</c>: the loss and perplexity of a model on a corpus, read the way the model was trained.</summary>
internal sealed class EvaluateCommand : Command
{
    private readonly CliConsole _console;
    private readonly CancellationToken _cancellationToken;
    private readonly Option<string?> _model = CliOptions.Path("--model", "The model file.", required: true);
    private readonly Option<string?> _data = CliOptions.Path("--data", "The text to evaluate on (.csv, .txt, .gz or a directory).", required: true);
    private readonly Option<string> _column = new("--column") { Description = "The CSV column holding the text.", DefaultValueFactory = _ => "body" };
    private readonly Option<string?> _textMode = CliOptions.Choice("--text-mode", "How text files become documents (default: paragraphs for word models, whole for char models).", "lines", "paragraphs", "whole");
    private readonly Option<int?> _batch = CliOptions.Int("--batch", "Sentences per batch or parallel lanes (default 32).", 1, 4096);
    private readonly Option<int?> _bptt = CliOptions.Int("--bptt", "Char models: window length (default 25). Word models: longest sentence, longer ones are cut (default 50).", 1, 10_000);

    public EvaluateCommand(CliConsole console, CancellationToken cancellationToken)
        : base("evaluate", "Compute a model's loss and perplexity on a corpus.")
    {
        _console = console;
        _cancellationToken = cancellationToken;
        foreach (Option option in new Option[] { _model, _data, _column, _textMode, _batch, _bptt })
        {
            Add(option);
        }

        SetAction(Execute);
    }

    private int Execute(ParseResult parse)
    {
        LoadedModel loaded = ModelStore.Load(parse.GetValue(_model)!);
        string data = parse.GetValue(_data)!;
        TextCorpusMode mode = parse.GetValue(_textMode) switch
        {
            "lines" => TextCorpusMode.Lines,
            "paragraphs" => TextCorpusMode.Paragraphs,
            "whole" => TextCorpusMode.Whole,
            _ => loaded.IsChar ? TextCorpusMode.Whole : TextCorpusMode.Paragraphs,
        };
        IEnumerable<string> documents = CorpusSource.Read(data, parse.GetValue(_column)!, mode);
        EncodedCorpus corpus;
        try
        {
            corpus = TextPipeline.Encode(documents, loaded.Vocabulary, loaded.Tokenizer, splitSentences: !loaded.IsChar);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message, e);
        }
        catch (IOException e)
        {
            throw new CliException($"Cannot read '{data}': {e.Message}", e);
        }

        if (corpus.TokenCount == 0)
        {
            throw new CliException($"The corpus '{data}' has no text the model can read.");
        }

        int batch = parse.GetValue(_batch) ?? 32;
        ITokenDataset dataset;
        if (loaded.IsChar)
        {
            int steps = parse.GetValue(_bptt) ?? 25;
            int[] stream = corpus.ToStream();
            int lanes = Math.Min(batch, (stream.Length - 1) / steps);
            if (lanes < 1)
            {
                throw new CliException($"The corpus has {stream.Length:N0} characters, too few for one window of --bptt {steps}.");
            }

            dataset = new StreamDataset(stream, lanes, steps, null);
        }
        else
        {
            dataset = corpus.ToSentenceDataset(batch, new SentenceDatasetOptions { Shuffle = false, MaxSteps = parse.GetValue(_bptt) ?? 50 });
        }

        // Trainer.Evaluate is the library's evaluation loop (evaluation mode, padding masked, state carried in stream mode).
        var evaluator = new Trainer(loaded.Model, new TrainerOptions());
        LossSum loss = evaluator.Evaluate(dataset, _cancellationToken);
        long unknown = 0;
        if (loaded.Vocabulary.UnknownId is int unk)
        {
            for (int i = 0; i < corpus.SequenceCount; i++)
            {
                foreach (int id in corpus.GetSequence(i))
                {
                    unknown += id == unk ? 1 : 0;
                }
            }
        }

        _console.WriteLine($"Data:       {data} ({corpus.SequenceCount:N0} {(loaded.IsChar ? "documents" : "sentences")}, {corpus.TokenCount:N0} tokens{(loaded.Vocabulary.UnknownId is null ? string.Empty : $", {unknown:N0} unknown")}{(corpus.DroppedTokenCount > 0 ? $", {corpus.DroppedTokenCount:N0} unreadable left out" : string.Empty)})");
        _console.WriteLine($"Predicted:  {loss.Count:N0} tokens");
        _console.WriteLine($"Loss:       {loss.Mean:F4} nats/token ({loss.Mean / Math.Log(2):F4} bits)");
        _console.WriteLine($"Perplexity: {loss.Perplexity:F3}");
        return ExitCodes.Success;
    }
}
