using System.Diagnostics;
using Spectre.Console;

namespace Recurrent.Cli;

/// <summary>
/// Where the console writes: results to <see cref="Out"/>, errors to <see cref="Error"/>. When the output is a
/// terminal (not redirected) training shows a live Spectre.Console display; otherwise it writes plain, timestamped
/// log lines that read well in a file or a CI log.
/// </summary>
internal sealed class CliConsole
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Creates a console over two writers.</summary>
    /// <param name="output">Results and progress.</param>
    /// <param name="error">Errors.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal (live display allowed).</param>
    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
    }

    /// <summary>Gets the result and progress writer.</summary>
    public TextWriter Out { get; }

    /// <summary>Gets the error writer.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets whether the output is a terminal, so a live display may be used.</summary>
    public bool Interactive { get; }

    /// <summary>Gets or sets whether the live display is turned off (<c>--plain</c>).</summary>
    public bool Plain { get; set; }

    /// <summary>Gets or sets whether errors show their stack trace (<c>--verbose</c>).</summary>
    public bool Verbose { get; set; }

    /// <summary>Gets whether training shows the live display.</summary>
    public bool Live => Interactive && !Plain;

    /// <summary>Creates a Spectre.Console console over <see cref="Out"/>.</summary>
    /// <returns>The console.</returns>
    public IAnsiConsole CreateAnsiConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    /// <summary>Writes a result line.</summary>
    /// <param name="line">The text.</param>
    public void WriteLine(string line = "") => Out.WriteLine(line);

    /// <summary>Writes a timestamped log line (time since the command started).</summary>
    /// <param name="message">The message.</param>
    public void Log(string message)
    {
        TimeSpan t = _clock.Elapsed;
        Out.WriteLine($"[{(int)t.TotalMinutes:00}:{t.Seconds:00}] {message}");
    }
}
