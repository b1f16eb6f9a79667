namespace Recurrent.Experiments.Tests;

/// <summary>docs/results.md is generated from the committed run files; these tests keep the two in step.</summary>
public sealed class ResultsReportTests
{
    private static string Root => RepositoryPaths.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Recurrent.sln not found");

    private static string ResultsDirectory => Path.Combine(Root, "docs", "results");

    [Fact]
    public void ResultsMarkdown_IsWhatTheRunFilesGenerate()
    {
        string expected = ResultsReport.Generate(ResultsDirectory);
        string actual = File.ReadAllText(Path.Combine(Root, "docs", "results.md"));
        Assert.True(expected == actual, $"docs/results.md is out of date with docs/results/*: regenerate it with `{ResultsReport.Command}`.");
    }

    [Fact]
    public void EverySummary_AgreesWithItsMetricsFile()
    {
        string[] summaries = Directory.Exists(ResultsDirectory) ? Directory.GetFiles(ResultsDirectory, "summary.json", SearchOption.AllDirectories) : [];
        if (summaries.Length == 0)
        {
            Assert.Skip("No committed run summaries under docs/results.");
        }

        foreach (string path in summaries)
        {
            RunSummary summary = RunSummary.Load(path);
            Assert.NotNull(Experiment.Find(summary.Experiment));
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(path)), summary.Experiment);
            IReadOnlyList<MetricsRow> rows = MetricsFile.Read(Path.Combine(Path.GetDirectoryName(path)!, "metrics.csv"));
            MetricsRow lastEvaluation = rows.Last(r => r.Kind == "evaluation");
            Assert.Equal(lastEvaluation.ValidationLoss, summary.Final.ValidationLoss);
            Assert.Equal(lastEvaluation.ValidationPerplexity, summary.Final.ValidationPerplexity);
            Assert.Equal(rows[^1].Step, summary.Final.Steps);
            Assert.Equal(rows[^1].Tokens, summary.Final.Tokens);
            Assert.Equal(rows.Where(r => r.Kind == "evaluation").Min(r => r.ValidationLoss), summary.Final.BestValidationLoss);
            Assert.Equal(10, summary.Samples.Count);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "loss.png")), $"{summary.Experiment}: loss.png missing");
            Assert.StartsWith(ExperimentRunner.CommandPrefix + " run " + summary.Experiment, summary.Command, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Verdict_DoesNotClaimAnEpochTargetForAnIncompleteRun()
    {
        Experiment ptb = Experiment.Find("ptb-small")!;
        var summary = new RunSummary
        {
            VocabularySize = 10_000,
            EpochsRequested = 13,
            Final = new RunFigures { Epochs = 0.5, ValidationLoss = Math.Log(100), ValidationPerplexity = 100, BestValidationLoss = Math.Log(100) },
        };
        Assert.Equal("not reached (run incomplete)", ResultsReport.Verdict(ptb, summary).Short);

        summary.Final.Epochs = 13;
        Assert.Equal("**reached**", ResultsReport.Verdict(ptb, summary).Short);

        summary.Final.ValidationPerplexity = 130;
        Assert.Equal("not reached", ResultsReport.Verdict(ptb, summary).Short);
    }

    [Fact]
    public void Verdict_OfALossTarget_UsesTheBestEvaluation()
    {
        Experiment shakespeare = Experiment.Find("shakespeare")!;
        var summary = new RunSummary { VocabularySize = 65, Final = new RunFigures { Epochs = 2, ValidationLoss = 1.55, BestValidationLoss = 1.49, TrainingSeconds = 100, BestValidationSeconds = 90 } };
        Assert.Equal("**reached**", ResultsReport.Verdict(shakespeare, summary).Short);
        summary.Final.BestValidationLoss = 1.51;
        Assert.Equal("not reached", ResultsReport.Verdict(shakespeare, summary).Short);
    }

    [Theory]
    [InlineData("180", 180)]
    [InlineData("3m", 180)]
    [InlineData("90s", 90)]
    [InlineData("1.5h", 5400)]
    public void ParseDuration_ReadsSecondsAndUnits(string text, double seconds) =>
        Assert.Equal(seconds, RunOptions.ParseDuration(text).TotalSeconds);

    [Theory]
    [InlineData("")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("0m")]
    public void ParseDuration_RejectsNonsense(string text) =>
        Assert.Throws<ArgumentException>(() => RunOptions.ParseDuration(text));

    [Fact]
    public void MetricsRow_RoundTripsThroughCsv()
    {
        var row = new MetricsRow("evaluation", 0.123456789, 42, 4200, 12.5, double.NaN, 1.2345678901, Math.Exp(1.2345678901), 0.002);
        MetricsRow back = MetricsRow.Parse(row.ToCsv());
        Assert.Equal(row.Kind, back.Kind);
        Assert.Equal(row.Epoch, back.Epoch);
        Assert.Equal(row.Step, back.Step);
        Assert.True(double.IsNaN(back.TrainingLoss));
        Assert.Equal(row.ValidationLoss, back.ValidationLoss);
        Assert.Equal(row.ValidationPerplexity, back.ValidationPerplexity);
    }
}
