namespace Recurrent.Experiments;

/// <summary>Finds the repository root (the folder holding Recurrent.sln) and the shared data folder.</summary>
internal static class RepositoryPaths
{
    /// <summary>Walks up from <paramref name="start"/> to the folder holding Recurrent.sln.</summary>
    /// <returns>The root, or null when there is none.</returns>
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recurrent.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>Gets the repository root from the working directory, else from the executable's folder.</summary>
    public static string Root =>
        FindRoot(Environment.CurrentDirectory) ?? FindRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Cannot find Recurrent.sln above the working directory; run from inside the repository or pass --out and --data-dir.");

    /// <summary>
    /// The data folder: <c>RECURRENT_DATA</c> when set, else the first <c>shared/data</c> found beside the repository root or
    /// beside one of its parents (so <c>../shared/data</c> relative to the root is the usual place).
    /// </summary>
    public static string DefaultDataDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("RECURRENT_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
    }
}
