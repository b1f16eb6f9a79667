using System.IO.Compression;
using System.Text;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class CorpusReaderTests
{
    private static CsvCorpus Csv(string text, CsvCorpusOptions options) => new(new StringReader(text), options);

    [Fact]
    public void Csv_reads_a_column_by_name_with_quotes_embedded_newlines_and_crlf()
    {
        const string text = "id,body\r\n1,\"Hello, \"\"world\"\"\r\nsecond line\"\r\n2,plain\r\n3,\"\"\r\n";
        Assert.Equal(["Hello, \"world\"\r\nsecond line", "plain", ""], Csv(text, new CsvCorpusOptions { ColumnName = "body" }));
        Assert.Equal(["1", "2", "3"], Csv(text, new CsvCorpusOptions { ColumnIndex = 0 }));
    }

    [Fact]
    public void Csv_handles_a_byte_order_mark_from_a_stream_and_no_header()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("a;x\nb;y\n")];
        using var stream = new MemoryStream(bytes);
        var corpus = new CsvCorpus(stream, new CsvCorpusOptions { HasHeader = false, Delimiter = ';', ColumnIndex = 1 });
        Assert.Equal(["x", "y"], corpus);
        Assert.Throws<InvalidOperationException>(() => corpus.ToList());
    }

    [Fact]
    public void Csv_strict_mode_names_the_bad_record_and_lenient_mode_counts_it()
    {
        const string text = "body,other\nok,1\nshort\nfine,2\n";
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv(text, new CsvCorpusOptions { ColumnName = "other" }).ToList());
        Assert.Contains("record 2", e.Message, StringComparison.Ordinal);
        var lenient = Csv(text, new CsvCorpusOptions { ColumnName = "other", SkipMalformedRecords = true });
        Assert.Equal(["1", "2"], lenient);
        Assert.Equal(1, lenient.SkippedRecords);
        Assert.Equal(3, lenient.RecordsRead);
    }

    [Fact]
    public void Csv_stray_quote_is_malformed()
    {
        const string text = "body\ngood\nbad \"quote\" here\nalso good\n";
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv(text, new CsvCorpusOptions()).ToList());
        Assert.Contains("record 2", e.Message, StringComparison.Ordinal);
        var lenient = Csv(text, new CsvCorpusOptions { SkipMalformedRecords = true });
        Assert.Equal(["good", "also good"], lenient);
        Assert.Equal(1, lenient.SkippedRecords);
    }

    [Fact]
    public void Csv_unbalanced_quote_is_malformed()
    {
        const string text = "body\ngood\n\"never closed\nmore text\n";
        Assert.Throws<InvalidDataException>(() => Csv(text, new CsvCorpusOptions()).ToList());
    }

    [Fact]
    public void Csv_missing_column_file_and_invalid_utf8_are_clear_errors()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv("a,b\n1,2\n", new CsvCorpusOptions { ColumnName = "body" }).ToList());
        Assert.Contains("'body'", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => new CsvCorpus("/no/such/file.csv", new CsvCorpusOptions()));
        Assert.Throws<InvalidDataException>(() => Csv(string.Empty, new CsvCorpusOptions()).ToList());
        using var bad = new MemoryStream([.. Encoding.UTF8.GetBytes("body\nok\n"), 0xC3, 0x28, (byte)'\n']);
        Assert.Throws<InvalidDataException>(() => new CsvCorpus(bad, new CsvCorpusOptions()).ToList());
        Assert.Throws<ArgumentException>(() => new CsvCorpus(new StringReader(""), new CsvCorpusOptions { ColumnName = "x", HasHeader = false }));
    }

    [Fact]
    public void Text_reads_whole_lines_and_paragraphs_plain_and_gzip()
    {
        const string text = "First line.\nSecond line.\n\n\nNew paragraph\ncontinues.\n";
        string plain = Path.Combine(Path.GetTempPath(), $"corpus-{Guid.NewGuid():N}.txt");
        string gzip = plain + ".gz";
        try
        {
            File.WriteAllText(plain, text);
            using (var output = new GZipStream(File.Create(gzip), CompressionLevel.Fastest))
            {
                output.Write(Encoding.UTF8.GetBytes(text));
            }

            foreach (string path in new[] { plain, gzip })
            {
                Assert.Equal([text], TextCorpus.Read(path, TextCorpusMode.Whole));
                Assert.Equal(["First line.", "Second line.", "New paragraph", "continues."], TextCorpus.Read(path, TextCorpusMode.Lines));
                Assert.Equal(["First line.\nSecond line.", "New paragraph\ncontinues."], TextCorpus.Read(path, TextCorpusMode.Paragraphs));
                Assert.Equal(text, TextCorpus.ReadAllText(path));
            }
        }
        finally
        {
            File.Delete(plain);
            File.Delete(gzip);
        }
    }

    [Fact]
    public void Text_bad_input_is_a_clear_error()
    {
        Assert.Throws<FileNotFoundException>(() => TextCorpus.Read("/no/such/file.txt", TextCorpusMode.Lines));
        Assert.Throws<ArgumentException>(() => TextCorpus.Read(new MemoryStream(), (TextCorpusMode)7));
        using var bad = new MemoryStream([(byte)'o', (byte)'k', (byte)'\n', 0xFF, 0xFE, 0xFD]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => TextCorpus.Read(bad, TextCorpusMode.Lines).ToList());
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Empty(TextCorpus.Read(new MemoryStream(), TextCorpusMode.Whole));
    }
}
