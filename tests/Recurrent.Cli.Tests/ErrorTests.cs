namespace Recurrent.Cli.Tests;

/// <summary>Each mistake a user can make gives one clear line on stderr and a non-zero exit code, no stack trace.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly CliRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public void Missing_data_file()
    {
        CliResult result = _runner.Run("train", "--data", _runner.PathOf("nope.csv"));
        AssertUserError(result, 1, "does not exist");
    }

    [Fact]
    public void Missing_model_file()
    {
        CliResult result = _runner.Run("generate", "--model", _runner.PathOf("nope.safetensors"));
        AssertUserError(result, 1, "The model file");
    }

    [Fact]
    public void Wrong_csv_column()
    {
        string csv = Corpora.WriteCsv(_runner, rows: 5);
        CliResult result = _runner.Run("train", "--data", csv, "--column", "text");
        AssertUserError(result, 1, "has no column 'text'; its columns are: 'id', 'body'");
    }

    [Fact]
    public void Corrupt_model_file()
    {
        string path = _runner.PathOf("bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        foreach (string command in new[] { "generate", "info" })
        {
            AssertUserError(_runner.Run(command, "--model", path), 1, "is not a valid model file");
        }
    }

    [Fact]
    public void Empty_corpus()
    {
        string path = _runner.PathOf("empty.txt");
        File.WriteAllText(path, "\n\n   \n");
        AssertUserError(_runner.Run("train", "--data", path), 1, "has no text to train on");
    }

    [Theory]
    [InlineData("--hidden", "0", "--hidden must be between 1 and 8192 (got 0)")]
    [InlineData("--dropout", "1", "--dropout must be in [0, 1) (got 1)")]
    [InlineData("--lr", "-0.1", "--lr must be in (0, 100] (got -0.1)")]
    [InlineData("--model", "transformer", "--model must be one of rnn, lstm, gru (got 'transformer')")]
    [InlineData("--batch", "many", "'many'")]
    public void Option_out_of_range(string option, string value, string message)
    {
        AssertUserError(_runner.Run("train", option, value), 2, message);
    }

    [Fact]
    public void Generate_option_out_of_range()
    {
        AssertUserError(_runner.Run("generate", "--model", "m.safetensors", "--top-p", "0"), 2, "--top-p must be in (0, 1] (got 0)");
    }

    [Fact]
    public void Char_model_with_a_word_prompt_it_cannot_read()
    {
        string text = Corpora.WriteText(_runner, sentences: 60);
        string model = _runner.PathOf("char.safetensors");
        CliResult train = _runner.Run("train", "--level", "char", "--data", text, "--max-steps", "2", "--hidden", "8", "--layers", "1", "--samples", "0", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());

        CliResult result = _runner.Run("generate", "--model", model, "--prompt", "Zebra QUIZ");
        AssertUserError(result, 1, "character-level model never saw the character(s) 'Z'");
    }

    [Fact]
    public void Verbose_shows_the_stack_trace()
    {
        string path = _runner.PathOf("bad.safetensors");
        File.WriteAllBytes(path, new byte[16]);
        CliResult result = _runner.Run("info", "--model", path, "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a valid model file", result.Error);
        Assert.Contains("   at ", result.Error);
    }

    private static void AssertUserError(CliResult result, int exitCode, string message)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(message, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace without --verbose
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 2, result.ToString()); // the error, and for usage errors where to find help
        Assert.StartsWith("error: ", lines[0]);
    }
}
