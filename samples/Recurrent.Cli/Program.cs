namespace Recurrent.Cli;

/// <summary>The process entry point: wires Ctrl-C to a cancellation token and runs the console on the real streams.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C asks training to stop cleanly (the checkpoint is kept); a second one kills the process.
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        };

        var console = new CliConsole(Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
        return CliApp.Run(args, console, cancellation.Token);
    }
}
