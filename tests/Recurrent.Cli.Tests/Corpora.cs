using System.Text;

namespace Recurrent.Cli.Tests;

/// <summary>Tiny corpora written into a test's folder, drawn from the built-in grammar.</summary>
internal static class Corpora
{
    /// <summary>Writes a CSV with columns <c>id,body</c>, three sentences per row.</summary>
    public static string WriteCsv(CliRunner runner, string name = "tiny.csv", int rows = 100)
    {
        var csv = new StringBuilder("id,body\n");
        string[] sentences = [.. ToyGrammar.Sentences(rows * 3, seed: 7)];
        for (int i = 0; i < rows; i++)
        {
            csv.Append(i).Append(",\"").Append(string.Join(' ', sentences.Skip(3 * i).Take(3))).Append("\"\n");
        }

        string path = runner.PathOf(name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    /// <summary>Writes a text file with one sentence per line.</summary>
    public static string WriteText(CliRunner runner, string name = "tiny.txt", int sentences = 300)
    {
        string path = runner.PathOf(name);
        File.WriteAllLines(path, ToyGrammar.Sentences(sentences, seed: 11));
        return path;
    }
}
