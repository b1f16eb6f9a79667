namespace Recurrent.Tests.TestUtilities;

/// <summary>
/// Finds the shared corpora (reddit comments CSV, tiny Shakespeare, Penn Treebank) that live beside the
/// repository in <c>../shared/data</c>, or wherever <c>RECURRENT_DATA</c> points. Tests that need one call
/// <see cref="RequireFile"/>, which skips the test with a clear message when the corpus is absent.
/// </summary>
internal static class TestData
{
    /// <summary>Relative path of the reddit comments CSV under the data folder.</summary>
    public const string RedditCsv = "reddit-comments-2015-08/reddit-comments-2015-08.first5013.csv";

    /// <summary>Relative path of tiny Shakespeare under the data folder.</summary>
    public const string TinyShakespeare = "tinyshakespeare/input.txt";

    /// <summary>Relative path of the PTB training set (gzip) under the data folder.</summary>
    public const string PtbTrain = "ptb/ptb.train.txt.gz";

    /// <summary>Relative path of the PTB validation set under the data folder.</summary>
    public const string PtbValid = "ptb/ptb.valid.txt";

    /// <summary>Gets the repository root (the folder holding Recurrent.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Gets the data folder, or null when it cannot be found.</summary>
    public static string? DataDirectory { get; } = FindDataDirectory();

    /// <summary>Returns the full path of a corpus file, or skips the calling test when it is absent.</summary>
    public static string RequireFile(string relativePath)
    {
        string? path = DataDirectory is null ? null : Path.Combine(DataDirectory, relativePath);
        if (path is null || !File.Exists(path))
        {
            Assert.Skip($"Corpus '{relativePath}' not found: expected the shared data folder at ../shared/data beside the repository (or set RECURRENT_DATA).");
        }

        return path!;
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

        throw new InvalidOperationException("Could not find Recurrent.sln above " + AppContext.BaseDirectory);
    }

    private static string? FindDataDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("RECURRENT_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
