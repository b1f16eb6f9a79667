namespace Recurrent.Experiments.Tests;

/// <summary>An end-to-end run of the shakespeare configuration on a small stand-in corpus with a 2-second budget.</summary>
public sealed class ExperimentRunnerTests
{
    [Fact]
    public void Run_WithATimeBudget_WritesEveryFile_AndTheSummaryMatchesTheMetrics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "recurrent-experiments-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(dir, "data");
            Directory.CreateDirectory(Path.Combine(data, "tinyshakespeare"));
            string verse = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n";
            File.WriteAllText(Path.Combine(data, "tinyshakespeare", "input.txt"), string.Concat(Enumerable.Repeat(verse, 120)));
            string output = Path.Combine(dir, "out");

            var log = new StringWriter();
            int exit = ExperimentsApp.Run(["run", "shakespeare", "--time-budget", "2", "--threads", "1", "--seed", "3", "--out", output, "--data-dir", data], log, log);

            Assert.True(exit == 0, log.ToString());
            foreach (string file in new[] { "metrics.csv", "summary.json", "loss.png", "model.safetensors", "samples.txt" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing; log:\n{log}");
            }

            RunSummary summary = RunSummary.Load(Path.Combine(output, "summary.json"));
            Assert.Equal("time-budget", summary.Status);
            Assert.Equal(3, summary.Seed);
            Assert.Equal(1, summary.Machine.Threads);
            Assert.Contains("--time-budget 2 --threads 1 --seed 3", summary.Command, StringComparison.Ordinal);
            Assert.Equal(10, summary.Samples.Count);
            Assert.True(summary.Final.Steps > 0);
            IReadOnlyList<MetricsRow> rows = MetricsFile.Read(Path.Combine(output, "metrics.csv"));
            MetricsRow last = rows.Last(r => r.Kind == "evaluation");
            Assert.Equal(summary.Final.Steps, last.Step);
            Assert.Equal(last.ValidationLoss, summary.Final.ValidationLoss);
            Assert.True(double.IsFinite(last.ValidationLoss) && last.ValidationLoss < Math.Log(summary.VocabularySize) + 1);

            // The report reads the run back.
            string report = ResultsReport.Generate(MakeResultsFolder(dir, output));
            Assert.Contains(summary.Command, report, StringComparison.Ordinal);
            Assert.Contains("## shakespeare", report, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Run_RejectsUnknownExperimentsAndOptions()
    {
        var log = new StringWriter();
        Assert.Equal(2, ExperimentsApp.Run(["run", "no-such-thing"], log, log));
        Assert.Equal(2, ExperimentsApp.Run(["run", "shakespeare", "--bogus", "1"], log, log));
        Assert.Equal(2, ExperimentsApp.Run(["run", "shakespeare", "--epochs", "0"], log, log));
    }

    private static string MakeResultsFolder(string dir, string output)
    {
        // The report expects <results>/<name>/summary.json: copy the run's small files into such a folder.
        string results = Path.Combine(dir, "results");
        string target = Path.Combine(results, "shakespeare");
        Directory.CreateDirectory(target);
        foreach (string file in new[] { "metrics.csv", "summary.json" })
        {
            File.Copy(Path.Combine(output, file), Path.Combine(target, file));
        }

        return results;
    }
}
