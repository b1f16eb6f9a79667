using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Recurrent.Serialization;

/// <summary>
/// A strict, safe reader of safetensors files: the header is validated completely before any tensor is
/// read, and every problem is an <see cref="InvalidDataException"/> naming the tensor or field.
/// </summary>
/// <remarks>
/// <para>Checks, in order: the file holds the 8-byte header length; the length is at most
/// <see cref="MaxHeaderBytes"/> and fits in the file (checked before allocating); the header is valid UTF-8
/// and one JSON object (depth at most <see cref="MaxJsonDepth"/>, trailing spaces allowed, nothing else);
/// names are unique; <c>__metadata__</c> maps strings to strings; each tensor has exactly <c>dtype</c> (a
/// known dtype), <c>shape</c> (at most <see cref="MaxRank"/> non-negative integers) and <c>data_offsets</c>
/// (two integers <c>begin ≤ end</c>); the byte count equals the product of the shape times the dtype size
/// (overflow-checked); and the tensors tile the data section exactly (no gap, no overlap, nothing past the
/// end, nothing left over).</para>
/// <para>Tensor data is read on demand from the stream, so the reader never allocates more than the file
/// holds. The reader owns the stream unless told otherwise; it is not thread-safe.</para>
/// </remarks>
internal sealed class SafeTensorsReader : IDisposable
{
    /// <summary>The largest accepted header, in bytes (the limit of the reference implementation).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>The deepest JSON nesting accepted (root object → tensor object → shape array).</summary>
    public const int MaxJsonDepth = 4;

    /// <summary>The largest tensor rank accepted.</summary>
    public const int MaxRank = 8;

    /// <summary>The largest number of tensors, and separately of metadata entries, accepted.</summary>
    public const int MaxEntries = 65_536;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsReader(Stream stream, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw Bad($"the file is {fileLength} bytes, shorter than the 8-byte header length");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        ReadExactly(prefix, "header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
        {
            throw Bad($"the header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        }

        if (headerLength > (ulong)(fileLength - 8))
        {
            throw Bad($"the header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        }

        byte[] header = new byte[(int)headerLength];
        ReadExactly(header, "header");
        _dataStart = 8 + (long)headerLength;
        DataLength = fileLength - _dataStart;

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensorInfo>();
        ParseHeader(header, metadata, tensors);
        ValidateLayout(tensors, DataLength);

        tensors.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensorInfo info in tensors)
        {
            _byName.Add(info.Name, info);
        }
    }

    /// <summary>Gets the metadata map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the tensors, ordered by ordinal name.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>Gets the length of the data section in bytes.</summary>
    public long DataLength { get; }

    /// <summary>Opens and validates a file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>A reader that owns the file handle.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static SafeTensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.RandomAccess);
        return Create(stream, leaveOpen: false);
    }

    /// <summary>Validates a file held in memory.</summary>
    /// <param name="bytes">The file's bytes (not copied; must not change while the reader is used).</param>
    /// <returns>A reader over the bytes.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsReader FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Create(new MemoryStream(bytes, writable: false), leaveOpen: false);
    }

    /// <summary>Validates a file read from a seekable stream.</summary>
    /// <param name="stream">A readable, seekable stream positioned anywhere; the file starts at position 0.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves the stream open.</param>
    /// <returns>A reader over the stream.</returns>
    /// <exception cref="ArgumentException">The stream cannot read or seek.</exception>
    /// <exception cref="InvalidDataException">The stream does not hold a valid safetensors file.</exception>
    public static SafeTensorsReader FromStream(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        return Create(stream, leaveOpen);
    }

    /// <summary>Gets whether a tensor is present.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>Whether the file has a tensor of that name.</returns>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Gets a tensor's entry.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The validated entry.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing.</exception>
    public SafeTensorInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out SafeTensorInfo? info) ? info : throw Bad($"the tensor '{name}' is missing");
    }

    /// <summary>Gets a metadata value.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidDataException">The key is missing.</exception>
    public string GetMetadata(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Metadata.TryGetValue(key, out string? value) ? value : throw Bad($"the metadata key '{key}' is missing");
    }

    /// <summary>Reads an F32 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not F32, or too large for an array.</exception>
    public float[] ReadSingle(string name) => ReadArray<float>(name, SafeTensorDType.F32);

    /// <summary>Reads an F32 tensor into a destination of exactly its element count.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="destination">Receives the elements in row-major order.</param>
    /// <exception cref="InvalidDataException">The tensor is missing, not F32, or its element count differs from the destination's length.</exception>
    public void ReadSingle(string name, Span<float> destination) => ReadInto(Get(name), SafeTensorDType.F32, destination);

    /// <summary>Reads an F64 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not F64, or too large for an array.</exception>
    public double[] ReadDouble(string name) => ReadArray<double>(name, SafeTensorDType.F64);

    /// <summary>Reads an I64 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not I64, or too large for an array.</exception>
    public long[] ReadInt64(string name) => ReadArray<long>(name, SafeTensorDType.I64);

    /// <summary>Reads a U64 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not U64, or too large for an array.</exception>
    public ulong[] ReadUInt64(string name) => ReadArray<ulong>(name, SafeTensorDType.U64);

    /// <summary>Reads an I32 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not I32, or too large for an array.</exception>
    public int[] ReadInt32(string name) => ReadArray<int>(name, SafeTensorDType.I32);

    /// <summary>Reads a U8 tensor into a new array.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The elements in row-major order.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing, not U8, or too large for an array.</exception>
    public byte[] ReadBytes(string name) => ReadArray<byte>(name, SafeTensorDType.U8);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private static SafeTensorsReader Create(Stream stream, bool leaveOpen)
    {
        try
        {
            return new SafeTensorsReader(stream, leaveOpen);
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    private T[] ReadArray<T>(string name, SafeTensorDType dtype)
        where T : unmanaged
    {
        SafeTensorInfo info = Get(name);
        RequireDType(info, dtype);
        if (info.ElementCount > Array.MaxLength)
        {
            throw Bad($"the tensor '{info.Name}' has {info.ElementCount} elements, more than an array can hold");
        }

        var result = new T[info.ElementCount];
        ReadInto(info, dtype, result.AsSpan());
        return result;
    }

    private void ReadInto<T>(SafeTensorInfo info, SafeTensorDType dtype, Span<T> destination)
        where T : unmanaged
    {
        RequireDType(info, dtype);
        if (info.ElementCount != destination.Length)
        {
            throw Bad($"the tensor '{info.Name}' has {info.ElementCount} elements (shape {info.ShapeText}) but {destination.Length} were expected");
        }

        _stream.Position = _dataStart + info.Begin;
        int size = SafeTensorDTypes.SizeOf(dtype);
        int chunk = (1 << 28) / size; // keep each byte view well below int.MaxValue
        for (int start = 0; start < destination.Length; start += chunk)
        {
            Span<T> part = destination.Slice(start, Math.Min(chunk, destination.Length - start));
            Span<byte> bytes = MemoryMarshal.AsBytes(part);
            ReadExactly(bytes, $"tensor '{info.Name}'");
            if (!BitConverter.IsLittleEndian && size > 1)
            {
                for (int i = 0; i < bytes.Length; i += size)
                {
                    bytes.Slice(i, size).Reverse();
                }
            }
        }
    }

    private static void RequireDType(SafeTensorInfo info, SafeTensorDType dtype)
    {
        if (info.DType != dtype)
        {
            throw Bad($"the tensor '{info.Name}' has dtype {SafeTensorDTypes.Name(info.DType)}, expected {SafeTensorDTypes.Name(dtype)}");
        }
    }

    private void ReadExactly(Span<byte> destination, string what)
    {
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            // The length was checked against the stream's length; this means the file shrank under us.
            throw new InvalidDataException($"Invalid safetensors file: the {what} ends early (the file is shorter than its header says).", e);
        }
    }

    private static void ParseHeader(byte[] header, Dictionary<string, string> metadata, List<SafeTensorInfo> tensors)
    {
        if (!Utf8.IsValid(header))
        {
            throw Bad("the header is not valid UTF-8");
        }

        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw Bad("the header does not start with '{'");
        }

        try
        {
            var reader = new Utf8JsonReader(header, new JsonReaderOptions
            {
                MaxDepth = MaxJsonDepth,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
            });
            ParseRoot(ref reader, metadata, tensors);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Invalid safetensors file: the header is not valid JSON ({e.Message}).", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString throws this for escapes that do not form valid UTF-16 (lone surrogates).
            throw new InvalidDataException($"Invalid safetensors file: the header holds an invalid string ({e.Message}).", e);
        }
    }

    private static void ParseRoot(ref Utf8JsonReader reader, Dictionary<string, string> metadata, List<SafeTensorInfo> tensors)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad("the header is not a JSON object");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            Next(ref reader, "header");
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string name = reader.GetString()!;
            if (!names.Add(name))
            {
                throw Bad(name == SafeTensorsWriter.MetadataKey ? "the header has two '__metadata__' entries" : $"the tensor name '{name}' appears twice");
            }

            if (name == SafeTensorsWriter.MetadataKey)
            {
                ParseMetadata(ref reader, metadata);
            }
            else
            {
                if (tensors.Count >= MaxEntries)
                {
                    throw Bad($"the header lists more than {MaxEntries} tensors");
                }

                tensors.Add(ParseTensor(ref reader, name));
            }
        }

        // Only whitespace (the spaces the format allows as padding) may follow the root object.
        if (reader.Read())
        {
            throw Bad("the header has content after its JSON object");
        }
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        Next(ref reader, "__metadata__");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad("'__metadata__' is not a JSON object");
        }

        while (true)
        {
            Next(ref reader, "__metadata__");
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            string key = reader.GetString()!;
            Next(ref reader, "__metadata__");
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Bad($"the metadata value of '{key}' is not a string");
            }

            if (metadata.Count >= MaxEntries)
            {
                throw Bad($"'__metadata__' has more than {MaxEntries} entries");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw Bad($"the metadata key '{key}' appears twice");
            }
        }
    }

    private static SafeTensorInfo ParseTensor(ref Utf8JsonReader reader, string name)
    {
        Next(ref reader, name);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad($"the entry of tensor '{name}' is not a JSON object");
        }

        SafeTensorDType? dtype = null;
        List<long>? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Next(ref reader, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype" when dtype is null:
                    Next(ref reader, name);
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw Bad($"the dtype of tensor '{name}' is not a string");
                    }

                    string text = reader.GetString()!;
                    dtype = SafeTensorDTypes.TryParse(text, out SafeTensorDType parsed)
                        ? parsed
                        : throw Bad($"the tensor '{name}' has an unknown dtype '{text}'");
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, name, "shape", MaxRank);
                    break;
                case "data_offsets" when offsets is null:
                    List<long> pair = ReadIntegers(ref reader, name, "data_offsets", 2);
                    if (pair.Count != 2)
                    {
                        throw Bad($"the data_offsets of tensor '{name}' do not hold exactly two integers");
                    }

                    offsets = [pair[0], pair[1]];
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Bad($"the tensor '{name}' has two '{field}' fields");
                default:
                    throw Bad($"the tensor '{name}' has an unknown field '{field}'");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw Bad($"the tensor '{name}' has no '{missing}' field");
        }

        if (offsets[0] > offsets[1])
        {
            throw Bad($"the data_offsets of tensor '{name}' are reversed ([{offsets[0]}, {offsets[1]}])");
        }

        // Element count and byte count, overflow-checked (shape entries are each below 2^63).
        ulong elements = 1;
        foreach (long dimension in shape)
        {
            UInt128 product = (UInt128)elements * (ulong)dimension;
            if (product > long.MaxValue)
            {
                throw Bad($"the shape [{string.Join(", ", shape)}] of tensor '{name}' overflows");
            }

            elements = (ulong)product;
        }

        UInt128 bytes = (UInt128)elements * (ulong)SafeTensorDTypes.SizeOf(dtype.Value);
        if (bytes != (ulong)(offsets[1] - offsets[0]))
        {
            throw Bad($"the tensor '{name}' ({SafeTensorDTypes.Name(dtype.Value)}, shape [{string.Join(", ", shape)}]) needs {bytes} bytes but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        }

        return new SafeTensorInfo(name, dtype.Value, shape.ToArray(), (long)elements, offsets[0], offsets[1]);
    }

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string name, string field, int maxCount)
    {
        Next(ref reader, name);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"the {field} of tensor '{name}' is not a JSON array");
        }

        var values = new List<long>();
        while (true)
        {
            Next(ref reader, name);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return values;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                throw Bad($"the {field} of tensor '{name}' holds something other than a non-negative integer below 2^63");
            }

            if (values.Count >= maxCount)
            {
                throw Bad($"the {field} of tensor '{name}' has more than {maxCount} entries");
            }

            values.Add(value);
        }
    }

    private static void Next(ref Utf8JsonReader reader, string where)
    {
        if (!reader.Read())
        {
            throw Bad($"the header ends inside '{where}'");
        }
    }

    private static void ValidateLayout(List<SafeTensorInfo> tensors, long dataLength)
    {
        foreach (SafeTensorInfo info in tensors)
        {
            if (info.End > dataLength)
            {
                throw Bad($"the tensor '{info.Name}' ends at byte {info.End}, past the end of the data ({dataLength} bytes)");
            }
        }

        var byOffset = new List<SafeTensorInfo>(tensors);
        byOffset.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        SafeTensorInfo? previous = null;
        foreach (SafeTensorInfo info in byOffset)
        {
            if (info.Begin > cursor)
            {
                throw Bad($"there is a gap of {info.Begin - cursor} bytes before the tensor '{info.Name}' (at byte {cursor})");
            }

            if (info.Begin < cursor)
            {
                throw Bad($"the tensor '{info.Name}' overlaps the tensor '{previous!.Name}'");
            }

            cursor = info.End;
            previous = info;
        }

        if (cursor != dataLength)
        {
            throw Bad($"the data section has {dataLength - cursor} bytes after the last tensor");
        }
    }

    private static InvalidDataException Bad(string what) => new($"Invalid safetensors file: {what}.");
}
