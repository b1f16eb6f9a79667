using System.Text;

namespace Recurrent.Cli.Tests;

/// <summary>
/// Every console command shown in README.md and docs/*.md parses, and the whole sequence runs: the commands
/// are executed in order in a scratch folder, with two changes so the suite stays fast — training stops after a
/// few steps (<c>--max-steps</c>), and the corpus names the docs use resolve to the shared reddit CSV.
/// </summary>
public sealed class DocsCommandsTests : IDisposable
{
    private const string Prefix = "dotnet run -c Release --project samples/Recurrent.Cli -- ";
    private readonly CliRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    public static TheoryData<string, string> Commands()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, line) in DocumentedCommands())
        {
            data.Add(file, line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Documented_command_parses(string file, string line)
    {
        var console = new CliConsole(new StringWriter(), new StringWriter(), interactive: false);
        var parsed = CliApp.CreateRootCommand(console, CancellationToken.None).Parse(Split(line));
        Assert.True(parsed.Errors.Count == 0, $"{file}: '{line}': {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
    }

    [Fact]
    public void Documented_commands_run_in_order()
    {
        string? reddit = FindRedditCsv();
        if (reddit is null)
        {
            Assert.Skip("The reddit comments CSV (../shared/data beside the repository) is absent: the documented commands train on it.");
        }

        var commands = DocumentedCommands().ToList();
        Assert.NotEmpty(commands);
        foreach (var (file, line) in commands)
        {
            string[] args = Adapt(Split(line), reddit!);
            CliResult result = _runner.Run(args);
            Assert.True(result.ExitCode == 0, $"{file}: '{line}' (run as '{string.Join(' ', args)}')\n{result}");
        }
    }

    private static IEnumerable<(string File, string Line)> DocumentedCommands()
    {
        string root = FindRepositoryRoot();
        var files = new List<string> { Path.Combine(root, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        foreach (string path in files)
        {
            foreach (string raw in File.ReadLines(path))
            {
                string line = raw.Trim();
                if (line.StartsWith(Prefix, StringComparison.Ordinal) && !line.EndsWith("--help", StringComparison.Ordinal))
                {
                    yield return (Path.GetRelativePath(root, path), line[Prefix.Length..]);
                }
            }
        }
    }

    // Corpus names resolve to the shared CSV, model files go to the scratch folder, training takes 20 steps.
    private string[] Adapt(string[] args, string reddit)
    {
        var adapted = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a.EndsWith(".csv", StringComparison.Ordinal))
            {
                a = reddit;
            }
            else if (a.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                a = _runner.PathOf(a);
            }
            else if (a == "--max-steps" && i + 1 < args.Length)
            {
                i++;
                continue;
            }

            adapted.Add(a);
        }

        if (adapted[0] == "train")
        {
            adapted.AddRange(["--max-steps", "20", "--samples", "1"]);
            if (!adapted.Contains("--out") && !adapted.Contains("-o"))
            {
                adapted.AddRange(["--out", _runner.PathOf("model.safetensors")]);
            }
        }

        return [.. adapted];
    }

    private static string[] Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            args.Add(current.ToString());
        }

        return [.. args];
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recurrent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Recurrent.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindRedditCsv()
    {
        const string relative = "reddit-comments-2015-08/reddit-comments-2015-08.first5013.csv";
        string? env = Environment.GetEnvironmentVariable("RECURRENT_DATA");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, relative)))
        {
            return Path.Combine(env, relative);
        }

        for (var dir = new DirectoryInfo(FindRepositoryRoot()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
