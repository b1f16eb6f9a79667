using System.Globalization;
using System.Text;

namespace Recurrent.Experiments;

/// <summary>
/// Generates <c>docs/results.md</c> from the runs' files (<c>docs/results/&lt;name&gt;/summary.json</c> and <c>metrics.csv</c>):
/// every figure in it is read from those files, none is typed in. The output depends only on the files, so a test can
/// regenerate it and compare.
/// </summary>
internal static class ResultsReport
{
    /// <summary>The command that regenerates the report from the repository root.</summary>
    public const string Command = ExperimentRunner.CommandPrefix + " report";

    /// <summary>Generates the report.</summary>
    /// <param name="resultsDirectory">The folder holding one sub-folder per run.</param>
    /// <param name="linkPrefix">How the report links to that folder (relative to the report).</param>
    public static string Generate(string resultsDirectory, string linkPrefix = "results")
    {
        var runs = new List<(Experiment Experiment, RunSummary Summary, IReadOnlyList<MetricsRow> Rows)>();
        foreach (Experiment e in Experiment.All)
        {
            string summaryPath = Path.Combine(resultsDirectory, e.Name, "summary.json");
            string metricsPath = Path.Combine(resultsDirectory, e.Name, "metrics.csv");
            if (File.Exists(summaryPath) && File.Exists(metricsPath))
            {
                runs.Add((e, RunSummary.Load(summaryPath), MetricsFile.Read(metricsPath)));
            }
        }

        var md = new StringBuilder();
        md.Append("# Reference results\n\n");
        md.Append("<!-- Generated file: do not edit. Regenerate with `").Append(Command).Append("`. -->\n\n");
        md.Append("These runs reproduce published language-model set-ups with the library on the CPU. This page is **generated** by `")
            .Append(Command).Append("` from each run's `summary.json` and `metrics.csv` under [`docs/results/`](results/); a test checks that ")
            .Append("it matches them, so no figure here is typed in. Each run is one command of the experiment runner ")
            .Append("(`samples/Recurrent.Experiments`, see its README), which writes a metrics file, a loss curve, the model, ten samples and a summary.\n\n");
        md.Append("Times are wall-clock seconds on the machine described under each run: a small shared machine (the load average at the start ")
            .Append("and the end of each run is recorded, and so is the priority the run started with; neither says what else ran in between), ")
            .Append("so throughput figures are lower bounds. ")
            .Append("Per-epoch times of runs shorter than an epoch are **extrapolated** from the tokens processed and are labelled so.\n\n");

        md.Append("## Overview\n\n");
        md.Append("| experiment | ran for | epochs done | validation loss | validation perplexity | target | verdict |\n");
        md.Append("|---|---|---|---|---|---|---|\n");
        foreach (Experiment e in Experiment.All)
        {
            (Experiment _, RunSummary s, IReadOnlyList<MetricsRow> rows) = runs.FirstOrDefault(r => r.Experiment == e);
            if (s is null)
            {
                md.Append(CultureInfo.InvariantCulture, $"| [{e.Name}](#{e.Name}) | not run | | | | {e.Target?.Description ?? "—"} | not run |\n");
                continue;
            }

            md.Append(CultureInfo.InvariantCulture,
                $"| [{e.Name}](#{e.Name}) | {Seconds(s.Final.TrainingSeconds)} ({s.Status}) | {s.Final.Epochs:F2} of {s.EpochsRequested} | {s.Final.ValidationLoss:F4} | {s.Final.ValidationPerplexity:F2} | {e.Target?.Description ?? (e.ShowRandomBaseline ? $"beat the random model (ln {s.VocabularySize} = {Math.Log(s.VocabularySize):F2})" : "—")} | {Verdict(e, s).Short} |\n");
        }

        md.Append('\n');
        foreach (Experiment e in Experiment.All)
        {
            (Experiment _, RunSummary s, IReadOnlyList<MetricsRow> rows) = runs.FirstOrDefault(r => r.Experiment == e);
            Section(md, e, s, rows, linkPrefix);
        }

        md.Append("## Reproducing\n\n");
        md.Append("From a clone with the corpora in `../shared/data` beside the repository root (or pass `--data-dir`), each run's command is ")
            .Append("shown in its section; then regenerate this page:\n\n```sh\n");
        foreach ((Experiment _, RunSummary s, IReadOnlyList<MetricsRow> _) in runs)
        {
            md.Append("nice -n 19 ").Append(s.Command).Append('\n');
        }

        md.Append(Command).Append("\n```\n\n");
        md.Append("`nice -n 19` is optional (it lets other work on the machine go first). Results depend on the seed and, through timing, ")
            .Append("on how far a time-budgeted run gets; the same seed and the same number of steps give the same model.\n");
        return md.ToString();
    }

    /// <summary>Decides whether a run reached its target, from its numbers.</summary>
    internal static (string Short, string Long) Verdict(Experiment e, RunSummary s)
    {
        if (e.Target is not Target t)
        {
            if (e.ShowRandomBaseline)
            {
                double random = Math.Log(s.VocabularySize);
                bool beats = s.Final.ValidationLoss < random;
                return (beats ? "below random" : "not below random",
                    string.Create(CultureInfo.InvariantCulture, $"Validation loss {s.Final.ValidationLoss:F4} against the random model's ln {s.VocabularySize} = {random:F4}."));
            }

            return ("—", "No target.");
        }

        bool usesPerplexity = t.Metric == "perplexity";
        double value = t.AtEpoch > 0
            ? (usesPerplexity ? s.Final.ValidationPerplexity : s.Final.ValidationLoss)
            : (usesPerplexity ? Math.Exp(s.Final.BestValidationLoss) : s.Final.BestValidationLoss);
        string what = usesPerplexity ? "validation perplexity" : "validation loss";
        string threshold = t.Threshold.ToString(CultureInfo.InvariantCulture);
        if (t.AtEpoch > 0 && s.Final.Epochs < t.AtEpoch - 1e-9)
        {
            return ("not reached (run incomplete)",
                string.Create(CultureInfo.InvariantCulture,
                    $"**Not reached — not tested.** The target needs {t.AtEpoch} epochs; this run covered {s.Final.Epochs:F2} ({what} {value:F2} at that point)."));
        }

        bool met = value <= t.Threshold;
        string budget = t.AtEpoch > 0 ? $"after {t.AtEpoch} epochs" : $"within {Seconds(s.Final.TrainingSeconds)} of training (best evaluation, at {Seconds(s.Final.BestValidationSeconds)})";
        return (met ? "**reached**" : "not reached",
            string.Create(CultureInfo.InvariantCulture, $"**{(met ? "Reached" : "Not reached")}:** {what} {value:F4} {(met ? "≤" : ">")} {threshold} {budget}."));
    }

    private static void Section(StringBuilder md, Experiment e, RunSummary? s, IReadOnlyList<MetricsRow>? rows, string linkPrefix)
    {
        md.Append(CultureInfo.InvariantCulture, $"## {e.Name}\n\n**{e.Title}.** {e.Reference}\n\n");
        if (e.Notes is not null)
        {
            md.Append("Choices: ").Append(e.Notes).Append("\n\n");
        }

        if (s is null || rows is null)
        {
            md.Append("Not run yet: no `summary.json` for it.\n\n");
            return;
        }

        md.Append("| setting | value |\n|---|---|\n");
        foreach ((string key, string value) in s.Settings)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {key} | {value} |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"| epochs requested | {s.EpochsRequested} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| time budget | {(s.TimeBudgetSeconds > 0 ? Seconds(s.TimeBudgetSeconds) : "none")} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| seed | {s.Seed} |\n\n");

        md.Append("Command (from the repository root):\n\n```sh\n").Append(s.Command).Append("\n```\n\n");

        RunFigures f = s.Final;
        double epochSeconds = f.Tokens > 0 ? f.TrainingSeconds * s.TrainTokensPerEpoch / f.Tokens : double.NaN;
        bool extrapolated = f.Epochs < 1;
        md.Append("| result | value |\n|---|---|\n");
        md.Append(CultureInfo.InvariantCulture, $"| status | {s.Status} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| data | {s.Data}; vocabulary {s.VocabularySize:N0}; {s.TrainTokensPerEpoch:N0} training tokens per epoch ({s.StepsPerEpoch:N0} steps), {s.ValidationTokens:N0} validation tokens |\n");
        md.Append(CultureInfo.InvariantCulture, $"| parameters | {s.Parameters:N0} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| trained | {f.Epochs:F3} epochs, {f.Steps:N0} steps, {f.Tokens:N0} tokens |\n");
        md.Append(CultureInfo.InvariantCulture, $"| training time | {Seconds(f.TrainingSeconds)} (whole command {Seconds(f.TotalSeconds)}) |\n");
        md.Append(CultureInfo.InvariantCulture, $"| throughput | {f.TokensPerSecond:N0} training tokens/s (evaluations included) |\n");
        md.Append(CultureInfo.InvariantCulture,
            $"| time per epoch | {Seconds(epochSeconds)}{(extrapolated ? $" — **extrapolated** from {f.Tokens:N0} tokens in {Seconds(f.TrainingSeconds)}" : " (measured average)")} |\n");
        if (f.Epochs < s.EpochsRequested)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| all {s.EpochsRequested} epochs | about {Seconds(epochSeconds * s.EpochsRequested)} — **extrapolated** at the same throughput |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"| final training loss | {f.TrainingLoss:F4} (mean over the last report window) |\n");
        md.Append(CultureInfo.InvariantCulture, $"| final validation loss | {f.ValidationLoss:F4} nats/token, perplexity {f.ValidationPerplexity:F2} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| best validation loss | {f.BestValidationLoss:F4} (perplexity {Math.Exp(f.BestValidationLoss):F2}) at {Seconds(f.BestValidationSeconds)} |\n");
        if (e.ShowRandomBaseline)
        {
            md.Append(CultureInfo.InvariantCulture, $"| random model | ln {s.VocabularySize} = {Math.Log(s.VocabularySize):F4} (perplexity {s.VocabularySize:N0}) |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"| final learning rate | {f.LearningRate:G4} |\n\n");
        md.Append(Verdict(e, s).Long).Append("\n\n");

        md.Append("Validation loss against training time:\n\n| step | epoch | time | training loss | validation loss | validation perplexity |\n|---|---|---|---|---|---|\n");
        foreach (MetricsRow r in Thin(rows.Where(r => r.Kind == "evaluation").ToList(), 16))
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {r.Step:N0} | {r.Epoch:F2} | {Seconds(r.ElapsedSeconds)} | {(double.IsFinite(r.TrainingLoss) ? r.TrainingLoss.ToString("F4", CultureInfo.InvariantCulture) : "—")} | {r.ValidationLoss:F4} | {r.ValidationPerplexity:F2} |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"\n![{e.Name} loss curve]({linkPrefix}/{e.Name}/loss.png)\n\n");
        md.Append("Ten samples from the final model (seed ").Append(s.Seed.ToString(CultureInfo.InvariantCulture))
            .Append(e.Corpus == CorpusKind.TinyShakespeare ? "; each continues a line break, temperature 0.8" : "; temperature 1").Append("):\n\n```text\n");
        for (int i = 0; i < s.Samples.Count; i++)
        {
            string text = e.Corpus == CorpusKind.TinyShakespeare ? s.Samples[i].Trim('\n') : s.Samples[i];
            md.Append(text.Replace("```", "'''", StringComparison.Ordinal)).Append(e.Corpus == CorpusKind.TinyShakespeare && i < s.Samples.Count - 1 ? "\n---\n" : "\n");
        }

        md.Append("```\n\n");
        MachineInfo m = s.Machine;
        md.Append(CultureInfo.InvariantCulture,
            $"Machine: {m.Processor}, {m.LogicalCores} logical cores, {m.Threads} thread(s) used, {m.Priority}; load average {m.LoadAverageAtStart:F2} at the start, {m.LoadAverageAtEnd:F2} at the end; {m.OperatingSystem}; {m.Runtime}. Started {s.StartedUtc}{(s.Commit is null ? "" : $" at commit `{s.Commit}`")}.\n\n");
    }

    /// <summary>Keeps at most <paramref name="count"/> rows, evenly spread, always the first and the last.</summary>
    private static IEnumerable<MetricsRow> Thin(List<MetricsRow> rows, int count)
    {
        if (rows.Count <= count)
        {
            return rows;
        }

        return Enumerable.Range(0, count).Select(i => (int)Math.Round(i * (rows.Count - 1) / (double)(count - 1))).Distinct().Select(i => rows[i]);
    }

    private static string Seconds(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            return "—";
        }

        var t = TimeSpan.FromSeconds(seconds);
        return seconds < 600
            ? seconds.ToString("F0", CultureInfo.InvariantCulture) + " s"
            : string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s ({(int)t.TotalHours}h{t.Minutes:D2}m)");
    }
}
