using System.IO.Compression;
using Recurrent.Text;

namespace Recurrent.Cli;

/// <summary>
/// Turns <c>--data</c> into documents: a CSV file (one document per value of <c>--column</c>), a text file (plain or
/// gzip: paragraphs, lines or the whole file), or a directory of such files (read in name order).
/// </summary>
internal static class CorpusSource
{
    /// <summary>The file extensions read from a directory.</summary>
    private static readonly string[] s_extensions = [".csv", ".txt", ".text", ".gz"];

    /// <summary>Lists the documents of <paramref name="path"/>, lazily (read errors surface while enumerating).</summary>
    /// <param name="path">A CSV or text file (optionally .gz) or a directory.</param>
    /// <param name="column">The CSV column to read.</param>
    /// <param name="mode">How text files are cut into documents.</param>
    /// <returns>The documents.</returns>
    /// <exception cref="CliException">The path does not exist, or the directory holds no corpus file.</exception>
    public static IEnumerable<string> Read(string path, string column, TextCorpusMode mode)
    {
        if (Directory.Exists(path))
        {
            string[] files = [.. Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
            if (files.Length == 0)
            {
                throw new CliException($"The directory '{path}' holds no .csv, .txt or .gz file.");
            }

            return files.SelectMany(f => ReadFile(f, column, mode));
        }

        if (!File.Exists(path))
        {
            throw new CliException($"The data file '{path}' does not exist.");
        }

        return ReadFile(path, column, mode);
    }

    private static IEnumerable<string> ReadFile(string path, string column, TextCorpusMode mode)
    {
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (!name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return TextCorpus.Read(path, mode);
        }

        var options = new CsvCorpusOptions { ColumnName = column };
        return ReferenceEquals(name, path) ? new CsvCorpus(path, options) : ReadGzipCsv(path, options);
    }

    private static IEnumerable<string> ReadGzipCsv(string path, CsvCorpusOptions options)
    {
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        foreach (string value in new CsvCorpus(gzip, options))
        {
            yield return value;
        }
    }
}
