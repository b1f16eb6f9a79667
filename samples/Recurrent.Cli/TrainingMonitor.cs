using System.Globalization;
using Recurrent.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Recurrent.Cli;

/// <summary>
/// Shows a training run: a live Spectre.Console table (epoch, step, loss, validation perplexity, tokens/s, learning
/// rate, ETA, the latest generated samples) on a terminal, or one plain log line per report when the output is
/// redirected. Every report is also recorded in a <see cref="MetricsLog"/>. Reports arrive synchronously on the
/// training thread.
/// </summary>
internal sealed class TrainingMonitor : IProgress<TrainingProgress>
{
    private const int SamplesShown = 3;

    private readonly CliConsole _console;
    private readonly int _epochs;
    private readonly long _plannedSteps;
    private readonly long _logEvery;
    private long _lastLogged;
    private readonly Queue<string> _samples = new();
    private TrainingProgress? _lastStep;
    private TrainingProgress? _lastEvaluation;
    private LiveDisplayContext? _live;

    public TrainingMonitor(CliConsole console, int epochs, long plannedSteps)
    {
        _console = console;
        _epochs = epochs;
        _plannedSteps = plannedSteps;
        _logEvery = Math.Max(1, plannedSteps / 40); // plain output: about forty step lines per run
    }

    /// <summary>Gets the recorded reports.</summary>
    public MetricsLog Metrics { get; } = new();

    /// <summary>Gets the last evaluation report, if any.</summary>
    public TrainingProgress? LastEvaluation => _lastEvaluation;

    /// <summary>Runs <paramref name="training"/> under the live display (terminal) or directly (plain output).</summary>
    public T Run<T>(Func<T> training)
    {
        if (!_console.Live)
        {
            return training();
        }

        IAnsiConsole ansi = _console.CreateAnsiConsole();
        T result = default!;
        ansi.Live(Render()).AutoClear(false).Start(context =>
        {
            _live = context;
            try
            {
                result = training();
            }
            finally
            {
                context.UpdateTarget(Render());
                context.Refresh();
                _live = null;
            }
        });
        return result;
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        Metrics.Add(value);
        if (value.Kind == TrainingEventKind.Step)
        {
            _lastStep = value;
            if (_live is null && value.Step - _lastLogged >= _logEvery)
            {
                _lastLogged = value.Step;
                _console.Log(
                    $"epoch {value.Epoch + 1}/{Epochs}  step {value.Step:N0}/{_plannedSteps:N0}  loss {value.TrainingLoss:F3}  " +
                    $"lr {value.LearningRate:G3}  {value.TokensPerSecond:N0} tok/s  eta {Eta(value)}");
            }
        }
        else
        {
            _lastEvaluation = value;
            if (_live is null && double.IsFinite(value.ValidationLoss))
            {
                _console.Log(
                    $"evaluation at step {value.Step:N0}: validation loss {value.ValidationLoss:F3}, perplexity {value.ValidationPerplexity:F2} " +
                    $"(best {Math.Exp(value.BestValidationLoss):F2})");
            }
        }

        Refresh();
    }

    /// <summary>Shows a text generated at an evaluation.</summary>
    public void ShowSample(string text)
    {
        _samples.Enqueue(text);
        while (_samples.Count > SamplesShown)
        {
            _samples.Dequeue();
        }

        if (_live is null)
        {
            _console.Log($"sample: {text}");
        }

        Refresh();
    }

    private string Epochs => _epochs > 0 ? _epochs.ToString(CultureInfo.InvariantCulture) : "-";

    private void Refresh()
    {
        if (_live is not null)
        {
            _live.UpdateTarget(Render());
            _live.Refresh();
        }
    }

    private IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("name").AddColumn("value");
        TrainingProgress? s = _lastStep;
        TrainingProgress? e = _lastEvaluation;
        table.AddRow("Epoch", s is null ? "-" : $"{s.Epoch + 1} / {Epochs}");
        table.AddRow("Step", s is null ? "-" : $"{s.Step:N0} / {_plannedSteps:N0}");
        table.AddRow("Training loss", s is null ? "-" : $"{s.TrainingLoss:F3} (perplexity {s.TrainingPerplexity:F2})");
        table.AddRow("Validation perplexity", e is null || !double.IsFinite(e.ValidationLoss) ? "-" : $"{e.ValidationPerplexity:F2} (best {Math.Exp(e.BestValidationLoss):F2})");
        table.AddRow("Tokens/s", s is null ? "-" : $"{s.TokensPerSecond:N0}");
        table.AddRow("Learning rate", s is null ? "-" : $"{s.LearningRate:G3}");
        table.AddRow("Elapsed / ETA", s is null ? "-" : $"{Format(s.Elapsed)} / {Eta(s)}");
        IRenderable samples = _samples.Count == 0
            ? new Spectre.Console.Text("(a sample appears at each evaluation)")
            : new Rows(_samples.Select(t => new Spectre.Console.Text(t)));
        return new Rows(table, new Panel(samples).Header("Latest samples").Expand());
    }

    private static string Eta(TrainingProgress p) => p.EstimatedRemaining is TimeSpan t ? Format(t) : "?";

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
