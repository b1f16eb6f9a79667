using System.Collections;
using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Recurrent.Text;

/// <summary>
/// Streams the values of one column of a CSV file (RFC 4180: quoted fields, doubled quotes, embedded line breaks,
/// <c>\r\n</c> or <c>\n</c>, an optional byte order mark), one record at a time. Built on CsvHelper's parser.
/// </summary>
/// <remarks>
/// <para>A malformed record throws <see cref="InvalidDataException"/> naming the record number (1-based, header
/// excluded) and line, unless <see cref="CsvCorpusOptions.SkipMalformedRecords"/> is set, in which case it is
/// skipped and counted. Text that is not valid UTF-8 always throws <see cref="InvalidDataException"/>.</para>
/// <para>A corpus over a file can be enumerated many times; one over a <see cref="Stream"/> or <see cref="TextReader"/>
/// only once (the caller keeps ownership of it).</para>
/// </remarks>
public sealed class CsvCorpus : IEnumerable<string>
{
    private readonly string? _path;
    private readonly Stream? _stream;
    private readonly TextReader? _reader;
    private readonly CsvCorpusOptions _options;
    private bool _consumed;

    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Which column to read and how.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or the options are invalid.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public CsvCorpus(string path, CsvCorpusOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        }

        _path = path;
        _options = Validate(options);
    }

    /// <summary>Reads CSV from a stream (UTF-8 unless a byte order mark says otherwise). The stream is not disposed.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="options">Which column to read and how.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public CsvCorpus(Stream stream, CsvCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _options = Validate(options);
    }

    /// <summary>Reads CSV from a text reader. The reader is not disposed.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="options">Which column to read and how.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public CsvCorpus(TextReader reader, CsvCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _options = Validate(options);
    }

    /// <summary>Gets the number of malformed records skipped by the last enumeration (lenient mode only).</summary>
    public int SkippedRecords { get; private set; }

    /// <summary>Gets the number of data records (header excluded) read by the last enumeration, skipped ones included.</summary>
    public int RecordsRead { get; private set; }

    /// <summary>Enumerates the values of the selected column, in file order.</summary>
    /// <returns>The values.</returns>
    /// <exception cref="InvalidOperationException">The corpus reads a stream or reader that was already enumerated.</exception>
    public IEnumerator<string> GetEnumerator()
    {
        if (_path is null)
        {
            if (_consumed)
            {
                throw new InvalidOperationException("This CSV corpus reads a stream or reader, which can be enumerated only once.");
            }

            _consumed = true;
        }

        return Enumerate();
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static UTF8Encoding StrictUtf8 { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static CsvCorpusOptions Validate(CsvCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ColumnIndex, nameof(options));
        if (options.ColumnName is not null && !options.HasHeader)
        {
            throw new ArgumentException("ColumnName needs HasHeader = true.", nameof(options));
        }

        if (options.Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException("The delimiter cannot be a quote or a line break.", nameof(options));
        }

        return options;
    }

    private IEnumerator<string> Enumerate()
    {
        SkippedRecords = 0;
        RecordsRead = 0;
        TextReader reader = _reader
            ?? (_stream is not null
                ? new StreamReader(_stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 65536, leaveOpen: true)
                : new StreamReader(_path!, StrictUtf8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 65536 }));
        bool badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = _options.HasHeader,
            Delimiter = _options.Delimiter.ToString(),
            TrimOptions = _options.TrimFields ? TrimOptions.Trim : TrimOptions.None,
            BadDataFound = _ => badData = true,
            Mode = CsvMode.RFC4180,
        };
        using var parser = new CsvParser(reader, configuration, leaveOpen: _reader is not null);
        try
        {
            int column = _options.ColumnIndex;
            if (_options.HasHeader)
            {
                if (!ReadRecord(parser, ref badData, out bool headerBad))
                {
                    throw new InvalidDataException($"{Source} is empty: it has no header record.");
                }

                if (headerBad)
                {
                    throw new InvalidDataException($"{Source}: the header record is malformed.");
                }

                if (_options.ColumnName is not null)
                {
                    column = FindColumn(parser, _options.ColumnName);
                }
            }

            while (ReadRecord(parser, ref badData, out bool bad))
            {
                RecordsRead++;
                string? problem = bad ? "it has a stray or unbalanced quote"
                    : parser.Count <= column ? $"it has {parser.Count} field(s), so column {column} is missing"
                    : null;
                if (problem is not null)
                {
                    if (_options.SkipMalformedRecords)
                    {
                        SkippedRecords++;
                        continue;
                    }

                    throw new InvalidDataException($"{Source}: record {RecordsRead} (ending at line {parser.RawRow}) is malformed: {problem}.");
                }

                yield return parser[column];
            }
        }
        finally
        {
            if (_reader is null)
            {
                reader.Dispose();
            }
        }
    }

    private string Source => _path is null ? "The CSV input" : $"CSV file '{_path}'";

    private bool ReadRecord(CsvParser parser, ref bool badData, out bool bad)
    {
        badData = false;
        bool read;
        try
        {
            read = parser.Read();
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{Source} is not valid UTF-8 (near line {parser.RawRow + 1}).", e);
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{Source}: could not parse record {RecordsRead + 1}: {e.Message}", e);
        }

        if (read)
        {
            // CsvHelper processes fields lazily and reports bad data while doing so: touch every field now.
            for (int i = 0; i < parser.Count; i++)
            {
                _ = parser[i];
            }
        }

        bad = badData;
        return read;
    }

    private int FindColumn(CsvParser parser, string name)
    {
        var names = new string[parser.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = parser[i];
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (int i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidDataException($"{Source} has no column '{name}'; its columns are: {string.Join(", ", names.Select(n => "'" + n + "'"))}.");
    }
}
