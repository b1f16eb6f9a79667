using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Recurrent.Text;

/// <summary>
/// An immutable two-way map between tokens and ids <c>0 … Count-1</c>, with the token frequencies it was built from.
/// </summary>
/// <remarks>
/// <para>Ids: the special tokens first (unknown, sentence start, sentence end — those that are set), then the other
/// tokens by decreasing frequency, ties broken by first occurrence, so the same corpus always gives the same ids.</para>
/// <para>A token that is not in the vocabulary maps to <see cref="UnknownId"/>; when the vocabulary has no unknown
/// token, looking it up throws <see cref="ArgumentException"/>.</para>
/// <para>Thread-safe: every member only reads.</para>
/// </remarks>
public sealed class Vocabulary
{
    private const string FormatName = "recurrent-vocabulary";
    private const int FormatVersion = 1;

    private readonly string[] _tokens;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;

    private Vocabulary(string[] tokens, long[] counts, SpecialTokens specialTokens, int distinctTokenCount, long totalTokenCount)
    {
        _tokens = tokens;
        _counts = counts;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!_ids.TryAdd(tokens[i], i))
            {
                throw new InvalidDataException($"The vocabulary lists token '{tokens[i]}' twice.");
            }
        }

        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        SpecialTokens = specialTokens;
        UnknownId = IdOfSpecial(specialTokens.Unknown);
        SentenceStartId = IdOfSpecial(specialTokens.SentenceStart);
        SentenceEndId = IdOfSpecial(specialTokens.SentenceEnd);
        DistinctTokenCount = distinctTokenCount;
        TotalTokenCount = totalTokenCount;

        // The least frequent kept ordinary token (ties: the one with the larger id, i.e. seen later).
        LeastFrequentCount = long.MaxValue;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (i != UnknownId && i != SentenceStartId && i != SentenceEndId && counts[i] <= LeastFrequentCount)
            {
                LeastFrequentToken = tokens[i];
                LeastFrequentCount = counts[i];
            }
        }

        if (LeastFrequentToken is null)
        {
            LeastFrequentCount = 0;
        }
    }

    /// <summary>Gets the number of entries (special tokens included).</summary>
    public int Count => _tokens.Length;

    /// <summary>Gets the tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Gets the special tokens.</summary>
    public SpecialTokens SpecialTokens { get; }

    /// <summary>Gets the id of the unknown token, or null when the vocabulary has none.</summary>
    public int? UnknownId { get; }

    /// <summary>Gets the id of the sentence start token, or null when the vocabulary has none.</summary>
    public int? SentenceStartId { get; }

    /// <summary>Gets the id of the sentence end token, or null when the vocabulary has none.</summary>
    public int? SentenceEndId { get; }

    /// <summary>Gets the number of distinct tokens in the corpus the vocabulary was built from (before any cut).</summary>
    public int DistinctTokenCount { get; }

    /// <summary>Gets the number of tokens counted in the corpus the vocabulary was built from.</summary>
    public long TotalTokenCount { get; }

    /// <summary>Gets the least frequent ordinary (non-special) token that was kept, or null when there is none.</summary>
    public string? LeastFrequentToken { get; }

    /// <summary>Gets how often <see cref="LeastFrequentToken"/> occurred (0 when there is none).</summary>
    public long LeastFrequentCount { get; }

    /// <summary>Builds a vocabulary from a stream of tokens.</summary>
    /// <param name="tokens">The tokens of the corpus, in order.</param>
    /// <param name="options">The options; null for the defaults (no limit, no special tokens).</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException">The corpus has no tokens; or the options are invalid (MaxSize below the number of special tokens, MinCount below 1, special tokens empty or equal).</exception>
    public static Vocabulary Build(IEnumerable<string> tokens, VocabularyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var counter = new TokenCounter();
        foreach (string token in tokens)
        {
            ArgumentNullException.ThrowIfNull(token, nameof(tokens));
            counter.Add(token);
        }

        return Build(counter, options ?? new VocabularyOptions(), nameof(tokens), out _);
    }

    /// <summary>Builds a vocabulary from token sequences (e.g. tokenized sentences).</summary>
    /// <param name="sequences">The token sequences of the corpus, in order.</param>
    /// <param name="options">The options; null for the defaults (no limit, no special tokens).</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException">The corpus has no tokens; or the options are invalid.</exception>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> sequences, VocabularyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return Build(sequences.SelectMany(s => s ?? throw new ArgumentNullException(nameof(sequences))), options);
    }

    /// <summary>Builds from counted tokens; <paramref name="remap"/> maps each provisional id to its final id (dropped → unknown id or -1).</summary>
    internal static Vocabulary Build(TokenCounter counter, VocabularyOptions options, string parameterName, out int[] remap)
    {
        ArgumentNullException.ThrowIfNull(options);
        SpecialTokens specials = options.SpecialTokens ?? throw new ArgumentException("SpecialTokens must not be null.", nameof(options));
        specials.Validate(nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinCount, 1, nameof(options));
        List<string> specialList = specials.ToList();
        int maxSize = options.MaxSize ?? int.MaxValue;
        if (maxSize < Math.Max(1, specialList.Count))
        {
            throw new ArgumentException(
                $"MaxSize {maxSize} is below the number of special tokens ({specialList.Count}) or below 1.", nameof(options));
        }

        if (counter.Total == 0)
        {
            throw new ArgumentException("The corpus contains no tokens.", parameterName);
        }

        // Candidates: every ordinary token with enough occurrences, by count descending, then first occurrence.
        var specialIds = new HashSet<int>(specialList.Select(counter.IdOf));
        var candidates = new List<int>(counter.Count);
        for (int id = 0; id < counter.Count; id++)
        {
            if (!specialIds.Contains(id) && counter.GetCount(id) >= options.MinCount)
            {
                candidates.Add(id);
            }
        }

        candidates.Sort((a, b) =>
        {
            int byCount = counter.GetCount(b).CompareTo(counter.GetCount(a));
            return byCount != 0 ? byCount : a.CompareTo(b);
        });
        int kept = (int)Math.Min(candidates.Count, (long)maxSize - specialList.Count);

        var tokens = new string[specialList.Count + kept];
        var counts = new long[tokens.Length];
        remap = new int[counter.Count];
        remap.AsSpan().Fill(-1);
        for (int i = 0; i < specialList.Count; i++)
        {
            tokens[i] = specialList[i];
            int provisional = counter.IdOf(specialList[i]);
            if (provisional >= 0)
            {
                counts[i] = counter.GetCount(provisional);
                remap[provisional] = i;
            }
        }

        for (int i = 0; i < kept; i++)
        {
            int provisional = candidates[i];
            int id = specialList.Count + i;
            tokens[id] = counter.GetToken(provisional);
            counts[id] = counter.GetCount(provisional);
            remap[provisional] = id;
        }

        // Everything dropped maps to the unknown token (and counts towards it), when there is one.
        int unknownId = specials.Unknown is null ? -1 : 0;
        if (unknownId >= 0)
        {
            for (int provisional = 0; provisional < remap.Length; provisional++)
            {
                if (remap[provisional] < 0)
                {
                    remap[provisional] = unknownId;
                    counts[unknownId] += counter.GetCount(provisional);
                }
            }
        }

        return new Vocabulary(tokens, counts, specials, counter.Count, counter.Total);
    }

    /// <summary>Gets the id of <paramref name="token"/>: its own id, else <see cref="UnknownId"/>.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    /// <exception cref="ArgumentException">The token is not in the vocabulary and there is no unknown token.</exception>
    public int GetId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return GetId(token.AsSpan());
    }

    /// <summary>Gets the id of <paramref name="token"/>: its own id, else <see cref="UnknownId"/>.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentException">The token is not in the vocabulary and there is no unknown token.</exception>
    public int GetId(ReadOnlySpan<char> token)
    {
        if (_spanLookup.TryGetValue(token, out int id))
        {
            return id;
        }

        return UnknownId ?? throw new ArgumentException($"Token '{token}' is not in the vocabulary, which has no unknown token.", nameof(token));
    }

    /// <summary>Gets the id of <paramref name="token"/> if it is in the vocabulary (no unknown fallback).</summary>
    /// <param name="token">The token.</param>
    /// <param name="id">The id, or -1.</param>
    /// <returns>Whether the token is in the vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        return TryGetId(token.AsSpan(), out id);
    }

    /// <summary>Gets the id of <paramref name="token"/> if it is in the vocabulary (no unknown fallback).</summary>
    /// <param name="token">The token.</param>
    /// <param name="id">The id, or -1.</param>
    /// <returns>Whether the token is in the vocabulary.</returns>
    public bool TryGetId(ReadOnlySpan<char> token, out int id)
    {
        if (_spanLookup.TryGetValue(token, out id))
        {
            return true;
        }

        id = -1;
        return false;
    }

    /// <summary>Gets the token with id <paramref name="id"/>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in <c>[0, Count)</c>.</exception>
    public string GetToken(int id)
    {
        CheckId(id);
        return _tokens[id];
    }

    /// <summary>
    /// Gets how often the token with id <paramref name="id"/> occurred in the corpus the vocabulary was built from.
    /// The unknown token's count includes every occurrence of the tokens that were cut.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <returns>The count.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in <c>[0, Count)</c>.</exception>
    public long GetCount(int id)
    {
        CheckId(id);
        return _counts[id];
    }

    /// <summary>Maps tokens to ids (unknown tokens to <see cref="UnknownId"/>).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokens"/> is null or contains null.</exception>
    /// <exception cref="ArgumentException">A token is unknown and there is no unknown token.</exception>
    public int[] Encode(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new List<int>(tokens is IReadOnlyCollection<string> c ? c.Count : 16);
        foreach (string token in tokens)
        {
            ArgumentNullException.ThrowIfNull(token, nameof(tokens));
            ids.Add(GetId(token));
        }

        return [.. ids];
    }

    /// <summary>Maps ids to tokens.</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The tokens.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in <c>[0, Count)</c>.</exception>
    public string[] Decode(ReadOnlySpan<int> ids)
    {
        var tokens = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)_tokens.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} at position {i} is not in [0, {_tokens.Length}).");
            }

            tokens[i] = _tokens[id];
        }

        return tokens;
    }

    /// <summary>Serializes the vocabulary (tokens, counts, special tokens, corpus statistics) as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        var output = new ArrayBufferWriter<byte>(16 * _tokens.Length + 256);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false }))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes the vocabulary as one JSON object (the same content as <see cref="ToJson"/>).</summary>
    /// <param name="writer">The writer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", FormatVersion);
        writer.WriteStartObject("specialTokens");
        WriteOptional(writer, "unknown", SpecialTokens.Unknown);
        WriteOptional(writer, "sentenceStart", SpecialTokens.SentenceStart);
        WriteOptional(writer, "sentenceEnd", SpecialTokens.SentenceEnd);
        writer.WriteEndObject();
        writer.WriteNumber("distinctTokenCount", DistinctTokenCount);
        writer.WriteNumber("totalTokenCount", TotalTokenCount);
        writer.WriteStartArray("tokens");
        foreach (string token in _tokens)
        {
            writer.WriteStringValue(token);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("counts");
        foreach (long count in _counts)
        {
            writer.WriteNumberValue(count);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="InvalidDataException">The text is not a valid vocabulary document; the message says what is wrong.</exception>
    public static Vocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("The vocabulary is not valid JSON: " + e.Message, e);
        }
    }

    /// <summary>Reads a vocabulary from a JSON element written by <see cref="WriteJson"/>.</summary>
    /// <param name="element">The JSON object.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="InvalidDataException">The element is not a valid vocabulary; the message says what is wrong.</exception>
    public static Vocabulary FromJson(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("A vocabulary must be a JSON object.");
        }

        if (GetProperty(element, "format", JsonValueKind.String).GetString() != FormatName)
        {
            throw new InvalidDataException($"The JSON is not a vocabulary (format must be '{FormatName}').");
        }

        JsonElement version = GetProperty(element, "version", JsonValueKind.Number);
        if (!version.TryGetInt32(out int v) || v != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported vocabulary version {version.GetRawText()} (expected {FormatVersion}).");
        }

        JsonElement special = GetProperty(element, "specialTokens", JsonValueKind.Object);
        var specials = new SpecialTokens
        {
            Unknown = GetOptionalString(special, "unknown"),
            SentenceStart = GetOptionalString(special, "sentenceStart"),
            SentenceEnd = GetOptionalString(special, "sentenceEnd"),
        };
        try
        {
            specials.Validate(nameof(element));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("Invalid special tokens in the vocabulary: " + e.Message, e);
        }

        JsonElement tokensElement = GetProperty(element, "tokens", JsonValueKind.Array);
        JsonElement countsElement = GetProperty(element, "counts", JsonValueKind.Array);
        int length = tokensElement.GetArrayLength();
        if (length == 0)
        {
            throw new InvalidDataException("The vocabulary has no tokens.");
        }

        if (countsElement.GetArrayLength() != length)
        {
            throw new InvalidDataException($"The vocabulary has {length} tokens but {countsElement.GetArrayLength()} counts.");
        }

        var tokens = new string[length];
        var counts = new long[length];
        int i = 0;
        foreach (JsonElement token in tokensElement.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.String || token.GetString() is not { Length: > 0 } text)
            {
                throw new InvalidDataException($"Token {i} of the vocabulary is not a non-empty string.");
            }

            tokens[i++] = text;
        }

        i = 0;
        foreach (JsonElement count in countsElement.EnumerateArray())
        {
            if (count.ValueKind != JsonValueKind.Number || !count.TryGetInt64(out counts[i]) || counts[i] < 0)
            {
                throw new InvalidDataException($"Count {i} of the vocabulary is not a non-negative integer.");
            }

            i++;
        }

        foreach (string token in specials.ToList())
        {
            if (Array.IndexOf(tokens, token) < 0)
            {
                throw new InvalidDataException($"Special token '{token}' is not among the vocabulary's tokens.");
            }
        }

        JsonElement distinct = GetProperty(element, "distinctTokenCount", JsonValueKind.Number);
        JsonElement total = GetProperty(element, "totalTokenCount", JsonValueKind.Number);
        if (!distinct.TryGetInt32(out int distinctCount) || distinctCount < 0 || !total.TryGetInt64(out long totalCount) || totalCount < 0)
        {
            throw new InvalidDataException("The vocabulary's token statistics are not non-negative integers.");
        }

        return new Vocabulary(tokens, counts, specials, distinctCount, totalCount);
    }

    /// <summary>Writes the vocabulary as JSON to <paramref name="path"/> (through a temporary file renamed into place).</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a vocabulary saved by <see cref="Save"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid vocabulary.</exception>
    public static Vocabulary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"The vocabulary file '{path}' is not valid UTF-8.", e);
        }

        try
        {
            return FromJson(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static JsonElement GetProperty(JsonElement element, string name, JsonValueKind kind)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind != kind)
        {
            throw new InvalidDataException($"The vocabulary has no '{name}' {kind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }

    private static string? GetOptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new InvalidDataException($"Special token '{name}' must be a string.");
    }

    private int? IdOfSpecial(string? token) => token is null ? null : _ids[token];

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Id must be in [0, {_tokens.Length}).");
        }
    }
}
