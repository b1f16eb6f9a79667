namespace Recurrent.Cli.Tests;

/// <summary>The result of one in-process run of the console.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the console in-process with captured (redirected, so plain) output, in a temporary working folder.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("recurrent-cli-");

    /// <summary>Gets the test's temporary folder.</summary>
    public string Folder => _directory.FullName;

    public string PathOf(string name) => Path.Combine(Folder, name);

#pragma warning disable CA1822 // an instance method, so tests read as runner.Run(...)
    public CliResult Run(params string[] args) => RunWith(args, null, CancellationToken.None);
#pragma warning restore CA1822

    /// <summary>Runs the console; <paramref name="onOutputLine"/> sees every output line as it is written.</summary>
    public static CliResult RunWith(string[] args, Action<string>? onOutputLine, CancellationToken cancellationToken)
    {
        var output = new LineWriter(onOutputLine);
        var error = new StringWriter();
        int exitCode = CliApp.Run(args, new CliConsole(output, error, interactive: false), cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A string writer that reports each completed line.</summary>
    private sealed class LineWriter(Action<string>? onLine) : StringWriter
    {
        private int _lineStart;

        public override void Write(char value)
        {
            base.Write(value);
            if (value == '\n' && onLine is not null)
            {
                var builder = GetStringBuilder();
                string line = builder.ToString(_lineStart, builder.Length - _lineStart);
                _lineStart = builder.Length;
                onLine(line);
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? string.Empty)
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            foreach (char c in CoreNewLine)
            {
                Write(c);
            }
        }
    }
}
