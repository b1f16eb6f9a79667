using System.CommandLine;
using Recurrent.Models;
using Recurrent.Text;

namespace Recurrent.Cli;

/// <summary><c>info</c>: what a model file holds — options, parameter count, tokenizer and a vocabulary summary.</summary>
internal sealed class InfoCommand : Command
{
    private readonly CliConsole _console;
    private readonly Option<string?> _model = CliOptions.Path("--model", "The model file.", required: true);

    public InfoCommand(CliConsole console)
        : base("info", "Show a model file's options, parameter count and vocabulary.")
    {
        _console = console;
        Add(_model);
        SetAction(Execute);
    }

    private int Execute(ParseResult parse)
    {
        LoadedModel loaded = ModelStore.Load(parse.GetValue(_model)!);
        RecurrentModelOptions o = loaded.Model.Options;
        Vocabulary v = loaded.Vocabulary;
        var description = loaded.Tokenizer.Describe();
        string settings = string.Join(", ", description.Settings.Select(kv => $"{kv.Key}={kv.Value}"));
        string[] specials = [.. new[] { v.SpecialTokens.Unknown, v.SpecialTokens.SentenceStart, v.SpecialTokens.SentenceEnd }.OfType<string>()];
        string[] frequent = [.. Enumerable.Range(0, v.Count).Where(id => !specials.Contains(v.GetToken(id))).Take(12).Select(id => Show(v.GetToken(id)))];

        _console.WriteLine($"File:        {loaded.Path} ({new FileInfo(loaded.Path).Length:N0} bytes)");
        _console.WriteLine($"Model:       {o.Cell.ToString().ToUpperInvariant()}, {o.Layers} layer(s) × {o.HiddenSize} hidden units, embedding {(o.EmbeddingSize == 0 ? "none (one-hot inputs)" : o.EmbeddingSize)}");
        _console.WriteLine($"Options:     dropout {o.Dropout}, tied weights {(o.TieWeights ? "yes" : "no")}, bias {(o.UseBias ? "yes" : "no")}, seed {o.Seed}");
        _console.WriteLine($"Parameters:  {loaded.Model.ParameterCount:N0}");
        foreach (var tensor in loaded.Model.Tensors)
        {
            _console.WriteLine($"  {tensor.Name,-22} [{string.Join(", ", tensor.Shape)}]");
        }

        _console.WriteLine($"Tokenizer:   {description.Kind}{(settings.Length == 0 ? string.Empty : $" ({settings})")}");
        _console.WriteLine($"Vocabulary:  {v.Count:N0} tokens (of {v.DistinctTokenCount:N0} distinct in the training text, {v.TotalTokenCount:N0} tokens counted)");
        _console.WriteLine($"  special:   {(specials.Length == 0 ? "none" : string.Join(", ", specials))}");
        _console.WriteLine($"  frequent:  {string.Join(" ", frequent)}");
        if (v.LeastFrequentToken is string rare)
        {
            _console.WriteLine($"  rarest:    {Show(rare)} (seen {v.LeastFrequentCount:N0} times)");
        }

        return ExitCodes.Success;
    }

    private static string Show(string token) => token switch
    {
        " " => "␠",
        "\n" => "⏎",
        "\t" => "⇥",
        _ => token,
    };
}
