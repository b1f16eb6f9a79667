using System.Text;
using Recurrent.Text;

namespace Recurrent.Benchmarks.Text;

/// <summary>Locates and loads the shared corpora (../shared/data beside the repository, or RECURRENT_DATA).</summary>
internal static class BenchmarkCorpora
{
    public const string RedditCsv = "reddit-comments-2015-08/reddit-comments-2015-08.first5013.csv";
    public const string TinyShakespeare = "tinyshakespeare/input.txt";
    public const string PtbTrain = "ptb/ptb.train.txt.gz";

    public static string Require(string relativePath)
    {
        string? data = Environment.GetEnvironmentVariable("RECURRENT_DATA");
        if (string.IsNullOrEmpty(data) || !Directory.Exists(data))
        {
            data = null;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && data is null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    data = candidate;
                }
            }
        }

        string path = Path.Combine(data ?? throw new FileNotFoundException("Shared data folder not found; set RECURRENT_DATA."), relativePath);
        return File.Exists(path) ? path : throw new FileNotFoundException("Corpus not found.", path);
    }

    public static string[] RedditBodies() =>
        [.. new CsvCorpus(Require(RedditCsv), new CsvCorpusOptions { ColumnName = "body", TrimFields = true })];

    public static string Shakespeare() => TextCorpus.ReadAllText(Require(TinyShakespeare));

    public static string[] PtbLines() => [.. TextCorpus.Read(Require(PtbTrain), TextCorpusMode.Lines)];

    /// <summary>UTF-8 size of the text each benchmark processes, by benchmark method name, for the MB/s column.</summary>
    public static long Utf8Bytes(string benchmark) => benchmark switch
    {
        _ when benchmark.StartsWith("Reddit", StringComparison.Ordinal) => RedditBodies().Sum(b => (long)Encoding.UTF8.GetByteCount(b)),
        _ when benchmark.StartsWith("Shakespeare", StringComparison.Ordinal) => Encoding.UTF8.GetByteCount(Shakespeare()),
        _ when benchmark.StartsWith("Ptb", StringComparison.Ordinal) => PtbLines().Sum(l => (long)Encoding.UTF8.GetByteCount(l) + 1),
        _ => 0,
    };
}
