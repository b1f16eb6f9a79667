using System.CommandLine;
using Recurrent.Training;

namespace Recurrent.Cli;

/// <summary>
/// The console's commands (<c>train</c>, <c>generate</c>, <c>evaluate</c>, <c>info</c>) and the one place where
/// errors become exit codes: a user error prints one line on stderr, a stack trace only with <c>--verbose</c>.
/// </summary>
internal static class CliApp
{
    /// <summary>Gets the option that shows stack traces and the library's log.</summary>
    public static Option<bool> VerboseOption { get; } = new("--verbose", "-v")
    {
        Description = "Show stack traces on errors and the library's log messages.",
        Recursive = true,
    };

    /// <summary>Gets the option that turns the live display off.</summary>
    public static Option<bool> PlainOption { get; } = new("--plain")
    {
        Description = "Write plain log lines even on a terminal (they are always plain when the output is redirected).",
        Recursive = true,
    };

    /// <summary>Runs the console with the given arguments.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="console">Where to write.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl-C: training stops cleanly and keeps its checkpoint.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static int Run(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        RootCommand root = CreateRootCommand(console, cancellationToken);
        ParseResult parsed = root.Parse(args);
        console.Verbose = parsed.GetValue(VerboseOption);
        console.Plain = parsed.GetValue(PlainOption);
        if (parsed.Errors.Count > 0)
        {
            // One line per problem, then where to look; no help dump.
            foreach (var error in parsed.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            string command = parsed.CommandResult.Command == root ? string.Empty : parsed.CommandResult.Command.Name + " ";
            console.Error.WriteLine($"Run with '{command}--help' for the options.");
            return ExitCodes.UsageError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // Ctrl-C is wired by Program to the token passed to the commands
            });
        }
        catch (CliException e)
        {
            return Fail(console, e, e.Message, ExitCodes.UserError);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(console, e, "Cancelled.", ExitCodes.Cancelled);
        }
        catch (TrainingDivergedException e)
        {
            return Fail(console, e, $"Training diverged: {e.Message} Try a smaller --lr or --clip.", ExitCodes.UserError);
        }
#pragma warning disable CA1031 // the console's last line of defence: report any failure as one line and an exit code
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(console, e, $"Unexpected error ({e.GetType().Name}): {e.Message}", ExitCodes.InternalError);
        }
    }

    internal static RootCommand CreateRootCommand(CliConsole console, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Recurrent: train recurrent language models (RNN, LSTM, GRU) on your text and sample from them.");
        root.Add(VerboseOption);
        root.Add(PlainOption);
        root.Add(new TrainCommand(console, cancellationToken));
        root.Add(new GenerateCommand(console, cancellationToken));
        root.Add(new EvaluateCommand(console, cancellationToken));
        root.Add(new InfoCommand(console));
        return root;
    }

    private static int Fail(CliConsole console, Exception exception, string message, int exitCode)
    {
        console.Error.WriteLine($"error: {message}");
        if (console.Verbose)
        {
            console.Error.WriteLine(exception.ToString());
        }

        return exitCode;
    }
}
