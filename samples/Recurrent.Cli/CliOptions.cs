using System.CommandLine;
using System.Globalization;

namespace Recurrent.Cli;

/// <summary>Helpers that declare options with their range checks (a value out of range is a usage error).</summary>
internal static class CliOptions
{
    /// <summary>Declares an optional integer option that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int?> Int(string name, string description, int min, int max = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            // A value that does not parse is reported by the parser itself.
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, CultureInfo.InvariantCulture, out int value) && (value < min || value > max))
            {
                result.AddError($"{name} must be {Bounds(min, max)} (got {value}).");
            }
        });
        return option;
    }

    /// <summary>Declares an optional number option that must lie in the given range.</summary>
    public static Option<double?> Number(string name, string description, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        var option = new Option<double?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && double.TryParse(result.Tokens[0].Value, CultureInfo.InvariantCulture, out double value)
                && (!double.IsFinite(value) || value < min || value > max || (minExclusive && value == min) || (maxExclusive && value == max)))
            {
                string range = $"{(minExclusive ? "(" : "[")}{Format(min)}, {Format(max)}{(maxExclusive ? ")" : "]")}";
                result.AddError($"{name} must be in {range} (got {Format(value)}).");
            }
        });
        return option;
    }

    /// <summary>Declares a string option limited to a set of values.</summary>
    public static Option<string?> Choice(string name, string description, params string[] values)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !values.Contains(result.Tokens[0].Value, StringComparer.Ordinal))
            {
                result.AddError($"{name} must be one of {string.Join(", ", values)} (got '{result.Tokens[0].Value}').");
            }
        });
        option.CompletionSources.Add(values);
        return option;
    }

    /// <summary>Declares a file path option.</summary>
    public static Option<string?> Path(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required };

    private static string Bounds(int min, int max) =>
        max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
