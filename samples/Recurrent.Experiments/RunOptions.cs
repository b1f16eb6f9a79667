using System.Globalization;

namespace Recurrent.Experiments;

/// <summary>What the command line may change about a run: the budget, the threads, the seed and where files go.</summary>
internal sealed record RunOptions
{
    /// <summary>Gets the epochs (null = the experiment's own count).</summary>
    public int? Epochs { get; init; }

    /// <summary>Gets the wall-clock training budget (null = none).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Gets the threads for the matrix products (null = all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Gets the output folder (null = docs/results/&lt;name&gt; under the repository root).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Gets the seed of initialisation, data order, dropout and samples.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets the data folder (null = ../shared/data beside the repository root).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Parses a duration: plain seconds, or a number followed by s, m or h (<c>180</c>, <c>3m</c>, <c>1.5h</c>).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        double unit = 1;
        if (t.EndsWith('h'))
        {
            unit = 3600;
        }
        else if (t.EndsWith('m'))
        {
            unit = 60;
        }

        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            t = t[..^1];
        }

        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentException($"Not a duration: '{text}' (use seconds, or e.g. 3m, 90s, 1.5h).", nameof(text));
        }

        return TimeSpan.FromSeconds(value * unit);
    }

    /// <summary>The arguments that reproduce these options (paths left out: they default to the repository's places).</summary>
    public string ToArguments()
    {
        var parts = new List<string>();
        if (Epochs is int epochs)
        {
            parts.Add($"--epochs {epochs}");
        }

        if (TimeBudget is TimeSpan budget)
        {
            parts.Add($"--time-budget {budget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}");
        }

        if (Threads is int threads)
        {
            parts.Add($"--threads {threads}");
        }

        parts.Add($"--seed {Seed}");
        return string.Join(' ', parts);
    }
}
