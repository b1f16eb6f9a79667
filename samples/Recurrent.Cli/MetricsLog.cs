using System.Globalization;
using System.Text;
using Recurrent.Training;

namespace Recurrent.Cli;

/// <summary>Records every progress report of a run and writes them as a CSV file and a loss-curve PNG (ScottPlot).</summary>
internal sealed class MetricsLog
{
    private readonly List<TrainingProgress> _reports = [];

    /// <summary>Gets the recorded reports.</summary>
    public IReadOnlyList<TrainingProgress> Reports => _reports;

    /// <summary>Records a report.</summary>
    public void Add(TrainingProgress progress) => _reports.Add(progress);

    /// <summary>Writes one row per report.</summary>
    /// <param name="path">The CSV file.</param>
    public void WriteCsv(string path)
    {
        var csv = new StringBuilder("kind,epoch,step,tokens,elapsed_seconds,training_loss,validation_loss,validation_perplexity,learning_rate,gradient_norm,tokens_per_second\n");
        foreach (TrainingProgress p in _reports)
        {
            csv.Append(string.Join(',',
                p.Kind == TrainingEventKind.Step ? "step" : "evaluation",
                (p.Epoch + 1).ToString(CultureInfo.InvariantCulture),
                p.Step.ToString(CultureInfo.InvariantCulture),
                p.Tokens.ToString(CultureInfo.InvariantCulture),
                F(p.Elapsed.TotalSeconds),
                F(p.TrainingLoss),
                F(p.ValidationLoss),
                F(p.ValidationPerplexity),
                F(p.LearningRate),
                F(p.GradientNorm),
                F(p.TokensPerSecond))).Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Plots the training loss (step reports) and the validation loss (evaluations) against the step.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="bestLoss">A horizontal reference line (the best achievable loss), or null.</param>
    public void WritePlot(string path, double? bestLoss)
    {
        var plot = new ScottPlot.Plot();
        AddSeries(plot, TrainingEventKind.Step, p => p.TrainingLoss, "training loss");
        AddSeries(plot, TrainingEventKind.Evaluation, p => p.ValidationLoss, "validation loss");
        if (bestLoss is double best)
        {
            var line = plot.Add.HorizontalLine(best);
            line.LegendText = "best achievable (entropy rate)";
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }

        plot.Title("Recurrent: loss per token");
        plot.XLabel("step");
        plot.YLabel("cross-entropy (nats per token)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 900, 540);
    }

    private void AddSeries(ScottPlot.Plot plot, TrainingEventKind kind, Func<TrainingProgress, double> value, string label)
    {
        // Evaluations at epoch ends have the kind EpochEnd; both carry a validation loss.
        var points = _reports
            .Where(p => kind == TrainingEventKind.Step ? p.Kind == TrainingEventKind.Step : p.Kind != TrainingEventKind.Step)
            .Where(p => double.IsFinite(value(p)))
            .ToArray();
        if (points.Length == 0)
        {
            return;
        }

        var scatter = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(value).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = kind == TrainingEventKind.Step ? 0 : 6;
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("G6", CultureInfo.InvariantCulture) : string.Empty;
}
