using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recurrent.Experiments;

/// <summary>The summary file of one run (<c>summary.json</c>): what ran, on what, for how long, and what it reached.</summary>
internal sealed class RunSummary
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Gets or sets the experiment name.</summary>
    public string Experiment { get; set; } = "";

    /// <summary>Gets or sets the command that reproduces the run from the repository root.</summary>
    public string Command { get; set; } = "";

    /// <summary>Gets or sets the seed.</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets how the run ended: <c>running</c>, <c>completed</c>, <c>time-budget</c> or <c>cancelled</c>.</summary>
    public string Status { get; set; } = "running";

    /// <summary>Gets or sets the epochs requested.</summary>
    public int EpochsRequested { get; set; }

    /// <summary>Gets or sets the wall-clock budget in seconds (0 = none).</summary>
    public double TimeBudgetSeconds { get; set; }

    /// <summary>Gets or sets the UTC start time (ISO 8601).</summary>
    public string StartedUtc { get; set; } = "";

    /// <summary>Gets or sets the git commit of the code, when known.</summary>
    public string? Commit { get; set; }

    /// <summary>Gets or sets the data description.</summary>
    public string Data { get; set; } = "";

    /// <summary>Gets or sets the vocabulary size.</summary>
    public int VocabularySize { get; set; }

    /// <summary>Gets or sets the training tokens per epoch.</summary>
    public long TrainTokensPerEpoch { get; set; }

    /// <summary>Gets or sets the validation tokens.</summary>
    public long ValidationTokens { get; set; }

    /// <summary>Gets or sets the batches (optimizer steps) per epoch.</summary>
    public int StepsPerEpoch { get; set; }

    /// <summary>Gets or sets the model's parameter count.</summary>
    public long Parameters { get; set; }

    /// <summary>Gets or sets the hyper-parameters as printed values.</summary>
    public Dictionary<string, string> Settings { get; set; } = [];

    /// <summary>Gets or sets the final figures.</summary>
    public RunFigures Final { get; set; } = new();

    /// <summary>Gets or sets the machine the run used.</summary>
    public MachineInfo Machine { get; set; } = new();

    /// <summary>Gets or sets ten generated samples from the final model.</summary>
    public List<string> Samples { get; set; } = [];

    /// <summary>Writes the summary atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, s_json) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a summary file.</summary>
    public static RunSummary Load(string path) =>
        JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), s_json) ?? throw new InvalidDataException($"Empty summary: {path}");
}

/// <summary>The figures at the end of a run.</summary>
internal sealed class RunFigures
{
    /// <summary>Gets or sets the epochs done (fractional: training tokens / tokens per epoch).</summary>
    public double Epochs { get; set; }

    /// <summary>Gets or sets the optimizer steps.</summary>
    public long Steps { get; set; }

    /// <summary>Gets or sets the training tokens.</summary>
    public long Tokens { get; set; }

    /// <summary>Gets or sets the wall-clock training time in seconds (evaluations during training included).</summary>
    public double TrainingSeconds { get; set; }

    /// <summary>Gets or sets the wall-clock time of the whole command in seconds (data loading, final evaluation and sampling included).</summary>
    public double TotalSeconds { get; set; }

    /// <summary>Gets or sets the training tokens per wall-clock second (evaluations included).</summary>
    public double TokensPerSecond { get; set; }

    /// <summary>Gets or sets the mean training loss over the last training-loss report.</summary>
    public double TrainingLoss { get; set; }

    /// <summary>Gets or sets the validation loss of the final model (nats per token).</summary>
    public double ValidationLoss { get; set; }

    /// <summary>Gets or sets the validation perplexity of the final model.</summary>
    public double ValidationPerplexity { get; set; }

    /// <summary>Gets or sets the best validation loss seen (nats per token).</summary>
    public double BestValidationLoss { get; set; }

    /// <summary>Gets or sets the training time at which the best validation loss was measured.</summary>
    public double BestValidationSeconds { get; set; }

    /// <summary>Gets or sets the learning rate of the last step.</summary>
    public double LearningRate { get; set; }
}

/// <summary>The machine a run used.</summary>
internal sealed class MachineInfo
{
    /// <summary>Gets or sets the processor model, when known.</summary>
    public string Processor { get; set; } = "";

    /// <summary>Gets or sets the logical processor count.</summary>
    public int LogicalCores { get; set; }

    /// <summary>Gets or sets the threads the matrix products used.</summary>
    public int Threads { get; set; }

    /// <summary>Gets or sets the operating system.</summary>
    public string OperatingSystem { get; set; } = "";

    /// <summary>Gets or sets the .NET runtime.</summary>
    public string Runtime { get; set; } = "";

    /// <summary>Gets or sets the 1-minute load average at the start (Linux), or -1.</summary>
    public double LoadAverageAtStart { get; set; } = -1;

    /// <summary>Gets or sets the 1-minute load average at the end (Linux), or -1.</summary>
    public double LoadAverageAtEnd { get; set; } = -1;

    /// <summary>Gets or sets the process priority (nice value) when known.</summary>
    public string Priority { get; set; } = "";

    /// <summary>Describes this machine now.</summary>
    public static MachineInfo Current(int threads) => new()
    {
        Processor = ReadProcessor(),
        LogicalCores = Environment.ProcessorCount,
        Threads = threads,
        OperatingSystem = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        LoadAverageAtStart = LoadAverage(),
        Priority = ReadNice(),
    };

    /// <summary>The 1-minute load average from /proc/loadavg, or -1.</summary>
    public static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static string ReadProcessor()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string ReadNice()
    {
        try
        {
            // Field 19 of /proc/self/stat is the nice value (fields after the parenthesised command name).
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return "nice " + fields[16];
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
