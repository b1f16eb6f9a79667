using System.Globalization;

namespace Recurrent.Experiments;

/// <summary>The command line: <c>list</c>, <c>run</c> and <c>report</c>.</summary>
internal static class ExperimentsApp
{
    private const string Usage = """
        Recurrent reference experiments.

          list                                  the named configurations
          run <name> [options]                  train one; files go to docs/results/<name>/ unless --out
              --epochs N                        epochs (default: the configuration's)
              --time-budget T                   stop training after T (seconds, or 90s, 3m, 1.5h); the model is still evaluated and saved
              --threads N                       threads for the matrix products (default: all cores)
              --seed N                          seed of initialisation, data order, dropout and samples (default 1)
              --out DIR                         output folder
              --data-dir DIR                    the corpora (default: ../shared/data beside the repository root, or RECURRENT_DATA)
          report [--results DIR] [--output FILE] [--check]
                                                generate docs/results.md from docs/results/*/summary.json and metrics.csv;
                                                --check compares instead of writing (exit code 1 when they differ)
        """;

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                output.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            return args[0] switch
            {
                "list" => List(output),
                "run" => RunExperiment(args[1..], output),
                "report" => Report(args[1..], output, error),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n\n{Usage}"),
            };
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (FileNotFoundException e)
        {
            error.WriteLine(e.Message);
            return 3;
        }
    }

    private static int List(TextWriter output)
    {
        foreach (Experiment e in Experiment.All)
        {
            output.WriteLine($"{e.Name,-12} {e.Title}");
        }

        return 0;
    }

    private static int RunExperiment(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException("run: give an experiment name (see `list`).");
        }

        Experiment experiment = Experiment.Find(args[0]) ?? throw new ArgumentException($"Unknown experiment '{args[0]}' (see `list`).");
        var options = new RunOptions();
        for (int i = 1; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--epochs" => options with { Epochs = PositiveInt(args[i], value) },
                "--time-budget" => options with { TimeBudget = RunOptions.ParseDuration(value) },
                "--threads" => options with { Threads = PositiveInt(args[i], value) },
                "--seed" => options with { Seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) && seed >= 0 ? seed : throw new ArgumentException($"--seed: not a non-negative integer: '{value}'.") },
                "--out" => options with { OutputDirectory = Path.GetFullPath(value) },
                "--data-dir" => options with { DataDirectory = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n\n{Usage}"),
            };
            i++;
        }

        using var stop = new CancellationTokenSource();
        var registrations = ExperimentRunner.RegisterStopSignals(stop);
        try
        {
            RunSummary summary = new ExperimentRunner(experiment, options, output).Run(stop.Token);
            return summary.Status == "cancelled" ? 130 : 0;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private static int Report(string[] args, TextWriter output, TextWriter error)
    {
        string root = RepositoryPaths.Root;
        string results = Path.Combine(root, "docs", "results");
        string target = Path.Combine(root, "docs", "results.md");
        bool check = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--check":
                    check = true;
                    break;
                case "--results" when i + 1 < args.Length:
                    results = Path.GetFullPath(args[++i]);
                    break;
                case "--output" when i + 1 < args.Length:
                    target = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"report: unknown or incomplete option '{args[i]}'.");
            }
        }

        string text = ResultsReport.Generate(results);
        if (check)
        {
            bool same = File.Exists(target) && File.ReadAllText(target) == text;
            (same ? output : error).WriteLine(same ? $"{target} is up to date." : $"{target} differs from what the run files give; run `{ResultsReport.Command}`.");
            return same ? 0 : 1;
        }

        File.WriteAllText(target, text);
        output.WriteLine($"Wrote {target}");
        return 0;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{option}: not a positive integer: '{value}'.");
}
