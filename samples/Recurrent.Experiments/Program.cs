using Recurrent.Experiments;

// The experiment runner: `list`, `run <name> [options]`, `report [--results DIR] [--output FILE] [--check]`.
return ExperimentsApp.Run(args, Console.Out, Console.Error);
