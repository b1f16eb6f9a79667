using System.Globalization;
using System.Text.RegularExpressions;
using Recurrent.Serialization;

namespace Recurrent.Cli.Tests;

/// <summary>train → model file → generate → evaluate → info, in-process, on tiny corpora and tiny models.</summary>
public sealed partial class EndToEndTests : IDisposable
{
    private static readonly string[] s_tinyModel = ["--hidden", "16", "--embedding", "8", "--samples", "2"];

    private readonly CliRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public void Word_level_train_generate_evaluate_info()
    {
        string csv = Corpora.WriteCsv(_runner);
        string model = _runner.PathOf("word.safetensors");

        CliResult train = _runner.Run(["train", "--data", csv, "--max-steps", "12", "--eval-every", "6", "--out", model, .. s_tinyModel]);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("Validation perplexity:", train.Output);
        Assert.Contains("sample:", train.Output); // a generated sample at each evaluation
        Assert.Contains("step 12/12  loss ", train.Output); // plain progress lines (output redirected)
        Assert.Contains("Finished: 12 steps", train.Output);
        Assert.Equal(string.Empty, train.Error);
        foreach (string written in new[] { model, _runner.PathOf("word.ckpt"), _runner.PathOf("word.metrics.csv"), _runner.PathOf("word.loss.png") })
        {
            Assert.True(File.Exists(written), $"{written} missing\n{train}");
            Assert.Contains(Path.GetFileName(written), train.Output); // every path is printed
        }

        byte[] png = File.ReadAllBytes(_runner.PathOf("word.loss.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        string[] metrics = File.ReadAllLines(_runner.PathOf("word.metrics.csv"));
        Assert.StartsWith("kind,epoch,step", metrics[0]);
        Assert.Contains(metrics, line => line.StartsWith("evaluation,", StringComparison.Ordinal));

        // The model file carries the vocabulary and tokenizer the console wrote.
        ModelFile file = ModelFile.Load(model);
        Assert.NotNull(file.Vocabulary);
        Assert.Equal("SENTENCE_START", file.Vocabulary!.SpecialTokens.SentenceStart);

        CliResult generate = _runner.Run("generate", "--model", model, "--count", "3", "--seed", "5");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        Assert.Equal(3, generate.OutputLines.Length);
        Assert.Equal(generate.Output, _runner.Run("generate", "--model", model, "--count", "3", "--seed", "5").Output); // same seed, same text

        CliResult prompted = _runner.Run("generate", "--model", model, "--count", "2", "--prompt", "the dog", "--max-length", "5", "--temperature", "0.5", "--top-k", "5");
        Assert.True(prompted.ExitCode == 0, prompted.ToString());
        Assert.All(prompted.OutputLines, line => Assert.StartsWith("the dog", line));

        CliResult streamed = _runner.Run("generate", "--model", model, "--count", "2", "--seed", "5", "--stream");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        Assert.Equal(2, streamed.OutputLines.Length);

        CliResult evaluate = _runner.Run("evaluate", "--model", model, "--data", csv);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        double perplexity = Number(evaluate.Output, "Perplexity:");
        double loss = Number(evaluate.Output, "Loss:");
        Assert.InRange(perplexity, 1.0, file.Model.Options.VocabularySize);
        Assert.Equal(Math.Exp(loss), perplexity, 2);

        CliResult info = _runner.Run("info", "--model", model);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains($"Parameters:  {file.Model.ParameterCount:N0}", info.Output);
        Assert.Contains("RNN, 1 layer(s) × 16 hidden units", info.Output);
        Assert.Contains("Tokenizer:   word", info.Output);
        Assert.Contains("SENTENCE_START, SENTENCE_END", info.Output);
    }

    [Fact]
    public void Char_level_train_generate_evaluate()
    {
        string text = Corpora.WriteText(_runner);
        string model = _runner.PathOf("char.safetensors");

        CliResult train = _runner.Run(["train", "--level", "char", "--data", text, "--max-steps", "8", "--layers", "1", "--bptt", "10", "--batch", "4", "--out", model, .. s_tinyModel]);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("LSTM 1×16", train.Output);

        CliResult generate = _runner.Run("generate", "--model", model, "--prompt", "the ", "--count", "2", "--max-length", "20");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        string[] samples = generate.Output.Split(GenerateCommand.SampleSeparator + Environment.NewLine);
        Assert.Equal(2, samples.Length);
        Assert.All(samples, sample => Assert.StartsWith("the ", sample));

        CliResult whole = _runner.Run("generate", "--model", model, "--count", "1", "--max-length", "30");
        Assert.True(whole.ExitCode == 0, whole.ToString());

        CliResult evaluate = _runner.Run("evaluate", "--model", model, "--data", text, "--bptt", "10");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.InRange(Number(evaluate.Output, "Perplexity:"), 1.0, 100.0);

        CliResult info = _runner.Run("info", "--model", model);
        Assert.Contains("Tokenizer:   char", info.Output);
    }

    [Fact]
    public void Ctrl_c_stops_cleanly_keeps_the_checkpoint_and_resume_continues()
    {
        string csv = Corpora.WriteCsv(_runner);
        string model = _runner.PathOf("m.safetensors");
        using var cancellation = new CancellationTokenSource();

        // "Press Ctrl-C" when the first evaluation sample appears.
        CliResult stopped = CliRunner.RunWith(
            ["train", "--data", csv, "--max-steps", "40", "--eval-every", "5", "--out", model, .. s_tinyModel],
            line =>
            {
                if (line.Contains("sample:", StringComparison.Ordinal))
                {
                    cancellation.Cancel();
                }
            },
            cancellation.Token);

        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        Assert.Contains("Stopped by Ctrl-C after step 5.", stopped.Output);
        Assert.True(File.Exists(_runner.PathOf("m.ckpt")));
        Assert.True(File.Exists(model));
        Assert.True(File.Exists(_runner.PathOf("m.loss.png")));

        CliResult resumed = _runner.Run(["train", "--data", csv, "--max-steps", "10", "--eval-every", "5", "--out", model, "--resume", _runner.PathOf("m.ckpt"), .. s_tinyModel]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("resumed from", resumed.Output);
        Assert.Contains("at step 5 ", resumed.Output);
        Assert.Contains("Finished: 10 steps", resumed.Output);
    }

    [Fact]
    public void Built_in_corpus_gets_within_ten_percent_of_the_best_perplexity_in_150_steps()
    {
        // The documented bound of the built-in run with a small budget (README / getting started): after 150 steps
        // of the default model, validation perplexity ≤ 1.10 × exp(entropy rate). Deterministic for a seed.
        string model = _runner.PathOf("toy.safetensors");
        CliResult train = _runner.Run("train", "--max-steps", "150", "--eval-every", "150", "--samples", "3", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        double perplexity = Number(train.Output, "Validation perplexity:");
        double best = Number(train.Output, "Best achievable:");
        Assert.Equal(Math.Exp(ToyGrammar.EntropyPerToken()), best, 3);
        Assert.InRange(perplexity, best * 0.97, best * 1.10);
        Assert.Contains("Generated:", train.Output);
    }

    private static double Number(string output, string label)
    {
        Match match = Regex.Match(output, Regex.Escape(label) + @"\s+([0-9.]+)");
        Assert.True(match.Success, $"'{label}' not found in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
