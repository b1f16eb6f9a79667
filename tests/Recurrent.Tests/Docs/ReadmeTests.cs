using System.Text.RegularExpressions;
using Recurrent.Serialization;

namespace Recurrent.Tests.Docs;

/// <summary>The README's quick start is the code in <see cref="QuickStart"/>, and that code runs.</summary>
public sealed partial class ReadmeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recurrent-readme-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Readme_shows_the_quick_start_code_verbatim()
    {
        string source = File.ReadAllText(Path.Combine(TestUtilities.TestData.RepositoryRoot, "tests", "Recurrent.Tests", "Docs", "QuickStart.cs"));
        string readme = File.ReadAllText(Path.Combine(TestUtilities.TestData.RepositoryRoot, "README.md"));
        string snippet = string.Join("\n", Snippets().Matches(source).Select(m => Dedent(m.Groups[1].Value)));
        Assert.False(string.IsNullOrWhiteSpace(snippet));
        Assert.Contains(snippet, readme.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Quick_start_trains_samples_saves_and_loads()
    {
        string[] comments = Enumerable.Range(0, 300)
            .Select(i => (i % 3) switch
            {
                0 => "The cat sat on the mat. It was happy!",
                1 => "A dog ran in the park. Was it fast? Yes, very fast.",
                _ => "I don't like rain. The sun is nice today.",
            })
            .ToArray();
        string path = Path.Combine(_directory, "model.safetensors");

        IReadOnlyList<string> sentences = QuickStart.Run(comments, path);

        Assert.Equal(3, sentences.Count);
        Assert.All(sentences, s => Assert.DoesNotContain("UNKNOWN_TOKEN", s, StringComparison.Ordinal));
        Assert.All(sentences, s => Assert.DoesNotContain("SENTENCE_", s, StringComparison.Ordinal));
        var loaded = ModelFile.Load(path);
        Assert.NotNull(loaded.Vocabulary);
        Assert.NotNull(loaded.Tokenizer);
    }

    private static string Dedent(string block)
    {
        string[] lines = block.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"// begin-snippet: quick-start\n(.*?)\n[ ]*// end-snippet: quick-start", RegexOptions.Singleline)]
    private static partial Regex Snippets();
}
