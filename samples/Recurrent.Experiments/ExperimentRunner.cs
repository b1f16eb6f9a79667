using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Recurrent.Models;
using Recurrent.Sampling;
using Recurrent.Serialization;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Experiments;

/// <summary>
/// Runs one experiment: data → model → trainer → files. Writes into the output folder, as the run goes:
/// <c>metrics.csv</c> (a row per report, flushed), <c>summary.json</c> (rewritten at every evaluation, final at the end),
/// <c>checkpoint.ckpt</c>; and at the end <c>model.safetensors</c>, <c>samples.txt</c> and <c>loss.png</c>.
/// Ctrl-C or SIGTERM stops training after the current step and still writes every file (status <c>cancelled</c>).
/// </summary>
internal sealed class ExperimentRunner
{
    /// <summary>The command prefix that runs this program from the repository root.</summary>
    public const string CommandPrefix = "dotnet run -c Release --project samples/Recurrent.Experiments --";

    private readonly Experiment _experiment;
    private readonly RunOptions _options;
    private readonly TextWriter _log;

    /// <summary>Creates a runner.</summary>
    public ExperimentRunner(Experiment experiment, RunOptions options, TextWriter log)
    {
        _experiment = experiment;
        _options = options;
        _log = log;
    }

    /// <summary>Runs the experiment and returns its summary.</summary>
    public RunSummary Run(CancellationToken stop)
    {
        Experiment e = _experiment;
        var total = Stopwatch.StartNew();
        if (_options.Threads is int threads)
        {
            ComputeSettings.MaxDegreeOfParallelism = threads;
        }

        string outDir = _options.OutputDirectory ?? Path.Combine(RepositoryPaths.Root, "docs", "results", e.Name);
        Directory.CreateDirectory(outDir);
        string dataDir = _options.DataDirectory ?? RepositoryPaths.DefaultDataDirectory();
        int epochs = _options.Epochs ?? e.Epochs;

        var summary = new RunSummary
        {
            Experiment = e.Name,
            Command = $"{CommandPrefix} run {e.Name} {_options.ToArguments()}",
            Seed = _options.Seed,
            EpochsRequested = epochs,
            TimeBudgetSeconds = _options.TimeBudget?.TotalSeconds ?? 0,
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Commit = GitCommit(),
            Machine = MachineInfo.Current(ComputeSettings.MaxDegreeOfParallelism),
            Settings = Settings(e),
        };

        _log.WriteLine($"[{e.Name}] loading data from {dataDir}");
        ExperimentData data = ExperimentData.Load(e, dataDir, _options.Seed);
        summary.Data = data.Description;
        summary.VocabularySize = data.Vocabulary.Count;
        summary.TrainTokensPerEpoch = data.TrainTokens;
        summary.ValidationTokens = data.ValidationTokens;
        summary.StepsPerEpoch = data.Train.BatchesPerEpoch;
        _log.WriteLine($"[{e.Name}] {data.Description}; vocabulary {data.Vocabulary.Count:N0}; {data.TrainTokens:N0} training / {data.ValidationTokens:N0} validation tokens; {data.Train.BatchesPerEpoch:N0} steps per epoch");

        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = data.Vocabulary.Count,
            EmbeddingSize = e.EmbeddingSize,
            HiddenSize = e.HiddenSize,
            Layers = e.Layers,
            Cell = e.Cell,
            Dropout = e.Dropout,
            UseBias = e.UseBias,
            InitRange = e.InitRange,
            Seed = _options.Seed,
        });
        summary.Parameters = model.ParameterCount;

        int evaluationInterval = e.EvaluationsPerEpoch > 1 ? (int)Math.Ceiling((double)data.Train.BatchesPerEpoch / e.EvaluationsPerEpoch) : 0;
        var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = epochs,
            LearningRate = e.LearningRate,
            Optimizer = e.Optimizer == OptimizerKind.Sgd ? new Sgd() : new Adam(),
            Schedule = e.Schedule switch
            {
                ScheduleKind.StepDecay => new StepDecaySchedule { ConstantEpochs = e.ConstantEpochs, Factor = e.DecayFactor },
                ScheduleKind.HalveOnLossIncrease => new HalveOnLossIncreaseSchedule(),
                _ => new ConstantSchedule(),
            },
            LossNormalization = e.LossNormalization,
            MaxGradientNorm = e.MaxGradientNorm,
            Seed = _options.Seed,
            EvaluationInterval = evaluationInterval,
            ProgressInterval = e.ProgressInterval,
            CheckpointWriter = state => Checkpoint.Save(Path.Combine(outDir, "checkpoint.ckpt"), state, model, data.Vocabulary, data.Tokenizer),
        });

        string summaryPath = Path.Combine(outDir, "summary.json");
        using var metrics = new MetricsFile(Path.Combine(outDir, "metrics.csv"));
        var clock = Stopwatch.StartNew();
        double lastTrainingLoss = double.NaN;
        var progress = new SynchronousProgress(p =>
        {
            metrics.Add(p, clock.Elapsed.TotalSeconds, data.TrainTokens);
            if (p.Kind == TrainingEventKind.Step)
            {
                lastTrainingLoss = p.TrainingLoss;
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{e.Name}] {clock.Elapsed:hh\\:mm\\:ss} epoch {(double)p.Tokens / data.TrainTokens:F3} step {p.Step} loss {p.TrainingLoss:F4} lr {p.LearningRate:G4} {p.TokensPerSecond:F0} tok/s"));
            }
            else
            {
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{e.Name}] {clock.Elapsed:hh\\:mm\\:ss} evaluation at epoch {(double)p.Tokens / data.TrainTokens:F3}: validation loss {p.ValidationLoss:F4}, perplexity {p.ValidationPerplexity:F2}"));
                Fill(summary, metrics.Rows, data.TrainTokens, lastTrainingLoss, clock.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds);
                summary.Save(summaryPath);
            }
        });

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (_options.TimeBudget is TimeSpan limit)
        {
            budget.CancelAfter(limit);
        }

        _log.WriteLine($"[{e.Name}] {model.ParameterCount:N0} parameters; {epochs} epochs{(_options.TimeBudget is TimeSpan b ? $", budget {b}" : "")}; {ComputeSettings.MaxDegreeOfParallelism} thread(s)");
        string status;
        try
        {
            TrainingResult result = trainer.Fit(data.Train, data.Validation, progress, budget.Token);
            status = result.StopReason == TrainingStopReason.EarlyStopping ? "early-stopping" : "completed";
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            status = stop.IsCancellationRequested ? "cancelled" : "time-budget";
        }

        double trainingSeconds = clock.Elapsed.TotalSeconds;
        clock.Stop();

        // The final model's validation figures: evaluate unless the last row already measured this very step.
        MetricsRow? last = metrics.Rows.LastOrDefault(r => r.Kind == "evaluation");
        if (last is null || last.Step != trainer.Step)
        {
            _log.WriteLine($"[{e.Name}] final evaluation at step {trainer.Step}");
            LossSum loss = trainer.Evaluate(data.Validation, CancellationToken.None);
            TrainingState state = trainer.CaptureState();
            metrics.Add(new MetricsRow("evaluation", (double)state.Tokens / data.TrainTokens, state.Step, state.Tokens, trainingSeconds,
                lastTrainingLoss, loss.Mean, loss.Perplexity, metrics.Rows.Count > 0 ? metrics.Rows[^1].LearningRate : e.LearningRate));
        }

        ModelFile.Save(Path.Combine(outDir, "model.safetensors"), model, data.Vocabulary, data.Tokenizer);
        summary.Samples = Samples(e, new Sampler(model, data.Vocabulary, data.Tokenizer), (ulong)_options.Seed);
        File.WriteAllText(Path.Combine(outDir, "samples.txt"), string.Join("\n\n", summary.Samples.Select((s, i) => $"--- sample {i + 1} ---\n{s}")) + "\n");

        summary.Status = status;
        Fill(summary, metrics.Rows, data.TrainTokens, lastTrainingLoss, trainingSeconds, total.Elapsed.TotalSeconds);
        summary.Machine.LoadAverageAtEnd = MachineInfo.LoadAverage();
        summary.Save(summaryPath);
        MetricsFile.Plot(metrics.Rows, Path.Combine(outDir, "loss.png"), $"{e.Name}: {e.Title}", References(e, data.Vocabulary.Count));
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{e.Name}] {status}: {summary.Final.Epochs:F3} epochs, {summary.Final.Steps} steps in {trainingSeconds:F0} s; validation loss {summary.Final.ValidationLoss:F4}, perplexity {summary.Final.ValidationPerplexity:F2} (best loss {summary.Final.BestValidationLoss:F4}); files in {outDir}"));
        return summary;
    }

    /// <summary>The reference lines of the loss plot: the target (as a loss) and the random model's ln V.</summary>
    internal static IEnumerable<(double Value, string Label)> References(Experiment e, int vocabularySize)
    {
        if (e.Target is Target t)
        {
            double loss = t.Metric == "perplexity" ? Math.Log(t.Threshold) : t.Threshold;
            yield return (loss, $"target ({t.Metric} {t.Threshold.ToString(CultureInfo.InvariantCulture)})");
        }

        if (e.ShowRandomBaseline && vocabularySize > 1)
        {
            yield return (Math.Log(vocabularySize), $"random model, ln {vocabularySize}");
        }
    }

    private static void Fill(RunSummary summary, IReadOnlyList<MetricsRow> rows, long tokensPerEpoch, double trainingLoss, double trainingSeconds, double totalSeconds)
    {
        MetricsRow? last = rows.LastOrDefault(r => r.Kind == "evaluation");
        MetricsRow? best = rows.Where(r => r.Kind == "evaluation" && double.IsFinite(r.ValidationLoss)).MinBy(r => r.ValidationLoss);
        MetricsRow? latest = rows.Count > 0 ? rows[^1] : null;
        long tokens = latest?.Tokens ?? 0;
        summary.Final = new RunFigures
        {
            Epochs = (double)tokens / tokensPerEpoch,
            Steps = latest?.Step ?? 0,
            Tokens = tokens,
            TrainingSeconds = trainingSeconds,
            TotalSeconds = totalSeconds,
            TokensPerSecond = trainingSeconds > 0 ? tokens / trainingSeconds : 0,
            TrainingLoss = trainingLoss,
            ValidationLoss = last?.ValidationLoss ?? double.NaN,
            ValidationPerplexity = last?.ValidationPerplexity ?? double.NaN,
            BestValidationLoss = best?.ValidationLoss ?? double.NaN,
            BestValidationSeconds = best?.ElapsedSeconds ?? double.NaN,
            LearningRate = latest?.LearningRate ?? double.NaN,
        };
    }

    private static List<string> Samples(Experiment e, Sampler sampler, ulong seed)
    {
        if (e.Corpus == CorpusKind.TinyShakespeare)
        {
            // Character level: ten continuations of a line break, 300 characters each, at temperature 0.8.
            return [.. sampler.GenerateSamples("\n", new SamplingOptions { SampleCount = 10, MaxLength = 300, Temperature = 0.8f, Seed = seed })];
        }

        // Word level: ten sentences from the start (or end-of-line) token; reddit as the original, at least 7 words.
        int minLength = e.Corpus == CorpusKind.RedditComments ? 7 : 0;
        return [.. sampler.GenerateSentences(10, new SamplingOptions { MinLength = minLength, MaxLength = 60, Seed = seed })];
    }

    private static Dictionary<string, string> Settings(Experiment e)
    {
        var s = new Dictionary<string, string>
        {
            ["model"] = $"{e.Cell.ToString().ToUpperInvariant()} {e.Layers}×{e.HiddenSize}",
            ["input"] = e.EmbeddingSize == 0 ? "one-hot" : $"embedding {e.EmbeddingSize}",
            ["biases"] = e.UseBias ? "yes" : "no",
            ["dropout"] = e.Dropout.ToString(CultureInfo.InvariantCulture),
            ["init"] = e.InitRange > 0 ? $"U(±{e.InitRange.ToString(CultureInfo.InvariantCulture)})" : "PyTorch default U(±1/√H)",
            ["data"] = e.Steps > 0 ? $"stream, batch {e.BatchSize}, window {e.Steps}, state carried" : $"sentences, batch {e.BatchSize}",
            ["vocabulary"] = e.VocabularySize is int v ? $"{v} (special tokens included)" : "every training token",
            ["optimizer"] = $"{e.Optimizer} lr {e.LearningRate.ToString(CultureInfo.InvariantCulture)}",
            ["schedule"] = e.Schedule switch
            {
                ScheduleKind.StepDecay => $"constant {e.ConstantEpochs} epochs, then ×{e.DecayFactor.ToString(CultureInfo.InvariantCulture)} per epoch",
                ScheduleKind.HalveOnLossIncrease => "halve when the loss rose (look every 5 epochs)",
                _ => "constant",
            },
            ["loss normalisation"] = e.LossNormalization.ToString(),
            ["gradient clipping"] = e.MaxGradientNorm > 0 ? $"global norm {e.MaxGradientNorm.ToString(CultureInfo.InvariantCulture)}" : "none",
        };
        return s;
    }

    private static string? GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepositoryPaths.FindRoot(Environment.CurrentDirectory) ?? Environment.CurrentDirectory,
            });
            if (git is null)
            {
                return null;
            }

            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Calls the handler on the trainer's thread (Progress&lt;T&gt; would post it elsewhere, out of order).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => handler(value);
    }

    /// <summary>Stops the run on Ctrl-C or SIGTERM (files are still written).</summary>
    internal static PosixSignalRegistration[] RegisterStopSignals(CancellationTokenSource stop)
    {
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        return [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler)];
    }
}
