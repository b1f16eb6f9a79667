using System.IO.Compression;
using System.Text;

namespace Recurrent.Text;

/// <summary>
/// Reads plain-text corpora as documents: the whole file, its lines, or its blank-line-separated paragraphs.
/// Gzip-compressed input (recognized by its magic bytes) is decompressed transparently. Text must be UTF-8
/// (a byte order mark is honoured); invalid UTF-8 throws <see cref="InvalidDataException"/>.
/// </summary>
public static class TextCorpus
{
    /// <summary>Reads the documents of a text file (plain or gzip), lazily.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="mode">How to cut the file into documents.</param>
    /// <returns>The documents; reading starts when enumeration starts and can be repeated.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or <paramref name="mode"/> is not defined.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">(During enumeration) the text is not valid UTF-8 or the gzip data is corrupt.</exception>
    public static IEnumerable<string> Read(string path, TextCorpusMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckMode(mode);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        }

        return ReadFile(path, mode);
    }

    /// <summary>Reads the documents of a stream (plain or, when the stream can seek, gzip), lazily; the stream is not disposed.</summary>
    /// <param name="stream">The stream; a non-seekable stream is read as plain text.</param>
    /// <param name="mode">How to cut the text into documents.</param>
    /// <returns>The documents (enumerate once).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is not defined.</exception>
    /// <exception cref="InvalidDataException">(During enumeration) the text is not valid UTF-8 or the gzip data is corrupt.</exception>
    public static IEnumerable<string> Read(Stream stream, TextCorpusMode mode)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckMode(mode);
        return ReadStream(stream, mode, "The text stream", leaveOpen: true);
    }

    /// <summary>Reads a whole text file (plain or gzip) into one string.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The text is not valid UTF-8 or the gzip data is corrupt.</exception>
    public static string ReadAllText(string path) => Read(path, TextCorpusMode.Whole).FirstOrDefault() ?? string.Empty;

    /// <summary>Opens a file for reading, decompressing it when it starts with the gzip magic bytes.</summary>
    internal static Stream OpenMaybeGzip(Stream stream, bool leaveOpen)
    {
        if (stream.CanSeek)
        {
            long position = stream.Position;
            int b0 = stream.ReadByte();
            int b1 = b0 < 0 ? -1 : stream.ReadByte();
            stream.Position = position;
            if (b0 == 0x1F && b1 == 0x8B)
            {
                return new GZipStream(stream, CompressionMode.Decompress, leaveOpen);
            }
        }

        return stream;
    }

    private static void CheckMode(TextCorpusMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentException($"Unknown mode {mode}.", nameof(mode));
        }
    }

    private static IEnumerable<string> ReadFile(string path, TextCorpusMode mode)
    {
        // An iterator, so the file is opened when enumeration starts and closed when it ends.
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536);
        foreach (string document in ReadStream(file, mode, $"Text file '{path}'", leaveOpen: false))
        {
            yield return document;
        }
    }

    private static IEnumerable<string> ReadStream(Stream stream, TextCorpusMode mode, string source, bool leaveOpen)
    {
        Stream input = OpenMaybeGzip(stream, leaveOpen);
        using var reader = new StreamReader(input, CsvCorpus.StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 65536, leaveOpen: leaveOpen && input == stream);
        try
        {
            var state = new ReadState(reader, source);
            if (mode == TextCorpusMode.Whole)
            {
                string all = state.ReadToEnd();
                if (all.Length > 0)
                {
                    yield return all;
                }

                yield break;
            }

            var paragraph = new StringBuilder();
            while (state.ReadLine() is { } line)
            {
                bool blank = string.IsNullOrWhiteSpace(line);
                if (mode == TextCorpusMode.Lines)
                {
                    if (!blank)
                    {
                        yield return line;
                    }

                    continue;
                }

                if (blank)
                {
                    if (paragraph.Length > 0)
                    {
                        yield return paragraph.ToString();
                        paragraph.Clear();
                    }
                }
                else
                {
                    if (paragraph.Length > 0)
                    {
                        paragraph.Append('\n');
                    }

                    paragraph.Append(line);
                }
            }

            if (paragraph.Length > 0)
            {
                yield return paragraph.ToString();
            }
        }
        finally
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }
        }
    }

    // Wraps the reads so that decoding errors become InvalidDataException naming the source and line.
    private sealed class ReadState(StreamReader reader, string source)
    {
        private int _line;

        public string? ReadLine()
        {
            try
            {
                string? line = reader.ReadLine();
                _line++;
                return line;
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"{source} is not valid UTF-8 (near line {_line + 1}).", e);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{source}: corrupt gzip data ({e.Message}).", e);
            }
        }

        public string ReadToEnd()
        {
            try
            {
                return reader.ReadToEnd();
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"{source} is not valid UTF-8.", e);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{source}: corrupt gzip data ({e.Message}).", e);
            }
        }
    }
}
