using System.CommandLine;
using Recurrent.Sampling;
using Recurrent.Text;

namespace Recurrent.Cli;

/// <summary><c>generate</c>: samples texts from a model file, whole or streamed token by token.</summary>
internal sealed class GenerateCommand : Command
{
    /// <summary>The line between two samples of a character model (whose samples may span several lines).</summary>
    internal const string SampleSeparator = "----";

    private readonly CliConsole _console;
    private readonly CancellationToken _cancellationToken;
    private readonly Option<string?> _model = CliOptions.Path("--model", "The model file (written by train).", required: true);
    private readonly Option<int?> _count = CliOptions.Int("--count", "How many texts (default 5).", 1, 10_000);
    private readonly Option<double?> _temperature = CliOptions.Number("--temperature", "Softmax temperature: 1 samples the model, lower is more conservative, 0 is greedy (default 1).", 0, 100);
    private readonly Option<int?> _topK = CliOptions.Int("--top-k", "Draw only from the k most likely tokens; 0 = off (default 0).", 0);
    private readonly Option<double?> _topP = CliOptions.Number("--top-p", "Draw only from the most likely tokens holding this much probability; 1 = off (default 1).", 0, 1, minExclusive: true);
    private readonly Option<string?> _prompt = CliOptions.Path("--prompt", "Text to continue (words for a word model, characters for a char model).");
    private readonly Option<int?> _minLength = CliOptions.Int("--min-length", "Fewest generated tokens (default 0).", 0, 100_000);
    private readonly Option<int?> _maxLength = CliOptions.Int("--max-length", "Most generated tokens (default: 50 word, 300 char).", 1, 100_000);
    private readonly Option<int?> _seed = CliOptions.Int("--seed", "Seed; the same seed gives the same texts (default 1).", 0);
    private readonly Option<bool> _stream = new("--stream") { Description = "Print tokens as they are sampled." };

    public GenerateCommand(CliConsole console, CancellationToken cancellationToken)
        : base("generate", "Generate text from a trained model.")
    {
        _console = console;
        _cancellationToken = cancellationToken;
        foreach (Option option in new Option[] { _model, _count, _temperature, _topK, _topP, _prompt, _minLength, _maxLength, _seed, _stream })
        {
            Add(option);
        }

        SetAction(Execute);
    }

    private int Execute(ParseResult parse)
    {
        LoadedModel loaded = ModelStore.Load(parse.GetValue(_model)!);
        string? prompt = parse.GetValue(_prompt);
        if (prompt is not null)
        {
            CheckPrompt(loaded, prompt);
        }

        int count = parse.GetValue(_count) ?? 5;
        int seed = parse.GetValue(_seed) ?? 1;
        var options = new SamplingOptions
        {
            Temperature = (float)(parse.GetValue(_temperature) ?? 1.0),
            TopK = parse.GetValue(_topK) ?? 0,
            TopP = (float)(parse.GetValue(_topP) ?? 1.0),
            MinLength = parse.GetValue(_minLength) ?? 0,
            MaxLength = parse.GetValue(_maxLength) ?? (loaded.IsChar ? 300 : 50),
            SampleCount = count,
            Seed = (ulong)seed,
        };
        if (options.MinLength > options.MaxLength)
        {
            throw new CliException($"--min-length ({options.MinLength}) is larger than --max-length ({options.MaxLength}).");
        }

        var sampler = new Sampler(loaded.Model, loaded.Vocabulary, loaded.Tokenizer, options);
        string lead = prompt is null ? string.Empty : loaded.IsChar ? prompt : prompt.TrimEnd() + " ";
        if (parse.GetValue(_stream))
        {
            if (prompt is null && loaded.Vocabulary.SentenceStartId is null)
            {
                // Sampler.Stream continues a prompt; a model without a sentence-start token needs one to start from.
                throw new CliException("This model has no sentence-start token, so streaming needs a --prompt to start from.");
            }

            for (int i = 0; i < count; i++)
            {
                _console.Out.Write(lead);
                foreach (string piece in sampler.Stream(prompt ?? string.Empty, options with { Seed = (ulong)seed + (ulong)i }, _cancellationToken))
                {
                    _console.Out.Write(piece);
                    _console.Out.Flush();
                }

                _console.Out.WriteLine();
                if (loaded.IsChar && i + 1 < count)
                {
                    _console.WriteLine(SampleSeparator);
                }
            }

            return ExitCodes.Success;
        }

        IReadOnlyList<string> texts = prompt is null ? sampler.GenerateSentences(count, options) : sampler.GenerateSamples(prompt, options);
        for (int i = 0; i < texts.Count; i++)
        {
            if (loaded.IsChar && i > 0)
            {
                _console.WriteLine(SampleSeparator); // character samples span lines
            }

            _console.WriteLine(lead + texts[i]);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Rejects a prompt the model cannot read: tokens outside a vocabulary without an unknown token — typically a
    /// character-level model given characters (or a word prompt in another script) it never saw.
    /// </summary>
    private static void CheckPrompt(LoadedModel loaded, string prompt)
    {
        Vocabulary vocabulary = loaded.Vocabulary;
        if (prompt.Length == 0 && vocabulary.SentenceStartId is null)
        {
            throw new CliException("The prompt is empty and this model has no sentence-start token to start from; give some text to continue.");
        }

        if (vocabulary.UnknownId is not null)
        {
            return;
        }

        string[] unknown = [.. loaded.Tokenizer.Tokenize(prompt).Where(t => !vocabulary.TryGetId(t, out _)).Distinct()];
        if (unknown.Length > 0)
        {
            string what = loaded.IsChar ? "character-level model never saw the character(s)" : "model's vocabulary lacks";
            throw new CliException(
                $"The prompt cannot be read: this {what} {string.Join(", ", unknown.Take(10).Select(t => "'" + t + "'"))}" +
                (loaded.IsChar ? $" (it knows {vocabulary.Count - vocabulary.SpecialTokens.Count} characters)." : "."));
        }
    }
}
