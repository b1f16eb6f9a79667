namespace Recurrent.Text;

/// <summary>Options for <see cref="CsvCorpus"/>: which column to read and how strictly.</summary>
public sealed class CsvCorpusOptions
{
    /// <summary>Gets the header name of the column to read (requires <see cref="HasHeader"/>). Takes precedence over <see cref="ColumnIndex"/>.</summary>
    public string? ColumnName { get; init; }

    /// <summary>Gets the 0-based index of the column to read when <see cref="ColumnName"/> is null. Default 0.</summary>
    public int ColumnIndex { get; init; }

    /// <summary>Gets whether the first record is a header. Default true.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Gets the field delimiter. Default comma.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// Gets whether a malformed record (a stray or unbalanced quote, too few columns, a field the reader could not
    /// parse) is skipped and counted in <see cref="CsvCorpus.SkippedRecords"/> instead of throwing
    /// <see cref="InvalidDataException"/>. Default false (strict).
    /// </summary>
    public bool SkipMalformedRecords { get; init; }

    /// <summary>Gets whether whitespace around fields (outside quotes) is trimmed, like Python's <c>skipinitialspace</c>. Default false.</summary>
    public bool TrimFields { get; init; }
}
