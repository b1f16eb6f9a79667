using System.Globalization;
using System.Text;
using Recurrent.Training;

namespace Recurrent.Experiments;

/// <summary>One row of a metrics file.</summary>
/// <param name="Kind"><c>step</c> (a training-loss report) or <c>evaluation</c> (a validation measurement).</param>
/// <param name="Epoch">Epochs done, fractional (training tokens / tokens per epoch).</param>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Tokens">Training tokens done.</param>
/// <param name="ElapsedSeconds">Wall-clock training time.</param>
/// <param name="TrainingLoss">Mean training loss since the previous report of this kind (NaN when none).</param>
/// <param name="ValidationLoss">Validation loss (NaN on step rows).</param>
/// <param name="ValidationPerplexity">Validation perplexity (NaN on step rows).</param>
/// <param name="LearningRate">The learning rate.</param>
internal sealed record MetricsRow(string Kind, double Epoch, long Step, long Tokens, double ElapsedSeconds, double TrainingLoss, double ValidationLoss, double ValidationPerplexity, double LearningRate)
{
    /// <summary>The CSV header.</summary>
    public const string Header = "kind,epoch,step,tokens,elapsed_seconds,train_loss,validation_loss,validation_perplexity,learning_rate";

    /// <summary>Formats the row as CSV.</summary>
    public string ToCsv() => string.Join(',', Kind, F(Epoch), Step.ToString(CultureInfo.InvariantCulture), Tokens.ToString(CultureInfo.InvariantCulture),
        F(ElapsedSeconds), F(TrainingLoss), F(ValidationLoss), F(ValidationPerplexity), F(LearningRate));

    /// <summary>Parses a CSV row.</summary>
    public static MetricsRow Parse(string line)
    {
        string[] f = line.Split(',');
        if (f.Length != 9)
        {
            throw new InvalidDataException($"Metrics row with {f.Length} fields: {line}");
        }

        return new MetricsRow(f[0], P(f[1]), long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture),
            P(f[4]), P(f[5]), P(f[6]), P(f[7]), P(f[8]));
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";

    private static double P(string text) => text.Length == 0 ? double.NaN : double.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>Writes a run's metrics as CSV, one row as soon as it is known (flushed, so a long run can be watched), and plots them.</summary>
internal sealed class MetricsFile : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly List<MetricsRow> _rows = [];

    /// <summary>Creates (overwrites) the metrics file.</summary>
    public MetricsFile(string path)
    {
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        _writer.WriteLine(MetricsRow.Header);
        _writer.Flush();
    }

    /// <summary>Gets the rows written so far.</summary>
    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>Appends a row.</summary>
    public void Add(MetricsRow row)
    {
        _rows.Add(row);
        _writer.WriteLine(row.ToCsv());
        _writer.Flush();
    }

    /// <summary>Appends a trainer report.</summary>
    public void Add(TrainingProgress p, double elapsedSeconds, long tokensPerEpoch) => Add(new MetricsRow(
        p.Kind == TrainingEventKind.Step ? "step" : "evaluation",
        (double)p.Tokens / tokensPerEpoch,
        p.Step,
        p.Tokens,
        elapsedSeconds,
        p.TrainingLoss,
        p.Kind == TrainingEventKind.Step ? double.NaN : p.ValidationLoss,
        p.Kind == TrainingEventKind.Step ? double.NaN : p.ValidationPerplexity,
        p.LearningRate));

    /// <summary>Reads a metrics file.</summary>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != MetricsRow.Header)
        {
            throw new InvalidDataException($"Not a metrics file: {path}");
        }

        return lines.Skip(1).Where(l => l.Length > 0).Select(MetricsRow.Parse).ToList();
    }

    /// <summary>Plots training and validation loss against training time, with optional reference lines.</summary>
    public static void Plot(IReadOnlyList<MetricsRow> rows, string path, string title, IEnumerable<(double Value, string Label)> references)
    {
        var plot = new ScottPlot.Plot();
        AddSeries(plot, rows.Where(r => r.Kind == "step" && double.IsFinite(r.TrainingLoss)).ToArray(), r => r.TrainingLoss, "training loss", 0);
        AddSeries(plot, rows.Where(r => r.Kind == "evaluation" && double.IsFinite(r.ValidationLoss)).ToArray(), r => r.ValidationLoss, "validation loss", 6);
        foreach ((double value, string label) in references)
        {
            var line = plot.Add.HorizontalLine(value);
            line.LegendText = label;
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }

        plot.Title(title);
        plot.XLabel("training time (s)");
        plot.YLabel("cross-entropy (nats per token)");
        plot.ShowLegend();
        plot.SavePng(path, 900, 540);
    }

    private static void AddSeries(ScottPlot.Plot plot, MetricsRow[] rows, Func<MetricsRow, double> value, string label, float markerSize)
    {
        if (rows.Length == 0)
        {
            return;
        }

        var scatter = plot.Add.Scatter(rows.Select(r => r.ElapsedSeconds).ToArray(), rows.Select(value).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = markerSize;
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
