using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recurrent.Serialization;

/// <summary>
/// Builds a safetensors file: named tensors plus a <c>__metadata__</c> string→string map, written with
/// deterministic bytes.
/// </summary>
/// <remarks>
/// Layout: an unsigned 64-bit little-endian header length N, N bytes of compact UTF-8 JSON padded with
/// spaces so that <c>8 + N</c> is a multiple of 8, then the raw little-endian tensor data. Tensors are
/// ordered by element size (largest first, so every tensor stays aligned to its element size) and then by
/// ordinal name; <c>__metadata__</c> comes first with its keys in ordinal order. The same tensors and
/// metadata therefore always give the same bytes. Data is copied when added.
/// </remarks>
internal sealed class SafeTensorsWriter
{
    /// <summary>The reserved header key of the metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _tensors = new(StringComparer.Ordinal);

    /// <summary>Gets the number of tensors added so far.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Adds a metadata entry.</summary>
    /// <param name="key">The key (unique).</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key is empty or already present.</exception>
    public void AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_metadata.TryAdd(key, value))
        {
            throw new ArgumentException($"The metadata key '{key}' is already present.", nameof(key));
        }
    }

    /// <summary>Adds an F32 tensor.</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.F32, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds an F64 tensor.</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<double> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.F64, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds an I64 tensor.</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.I64, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds a U64 tensor (e.g. a random generator's state).</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<ulong> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.U64, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds an I32 tensor.</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<int> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.I32, MemoryMarshal.AsBytes(values), values.Length, shape);

    /// <summary>Adds a U8 tensor.</summary>
    /// <param name="name">The tensor name (unique, not <c>__metadata__</c>).</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    public void Add(string name, ReadOnlySpan<byte> values, params ReadOnlySpan<long> shape)
        => AddBytes(name, SafeTensorDType.U8, values, values.Length, shape);

    /// <summary>Writes the whole file to a stream.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="InvalidOperationException">The header would exceed <see cref="SafeTensorsReader.MaxHeaderBytes"/>.</exception>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        List<Entry> ordered = Order();
        byte[] header = BuildHeader(ordered);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (Entry entry in ordered)
        {
            stream.Write(entry.Data);
        }
    }

    /// <summary>Returns the whole file as a byte array.</summary>
    /// <returns>The file's bytes.</returns>
    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Saves the file atomically (temporary file in the same directory, flushed, then renamed).</summary>
    /// <param name="path">The destination path; an existing file is replaced.</param>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    private void AddBytes(string name, SafeTensorDType dtype, ReadOnlySpan<byte> bytes, int elementCount, ReadOnlySpan<long> shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == MetadataKey)
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata map.", nameof(name));
        }

        if (shape.Length > SafeTensorsReader.MaxRank)
        {
            throw new ArgumentException($"Tensor '{name}' has rank {shape.Length}; at most {SafeTensorsReader.MaxRank} is supported.", nameof(shape));
        }

        long product = 1;
        foreach (long dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            product = checked(product * dimension);
        }

        if (product != elementCount)
        {
            throw new ArgumentException($"Tensor '{name}' has {elementCount} elements but its shape [{string.Join(", ", shape.ToArray())}] holds {product}.", nameof(shape));
        }

        if (_tensors.ContainsKey(name))
        {
            throw new ArgumentException($"The tensor '{name}' is already present.", nameof(name));
        }

        byte[] data = bytes.ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            ToLittleEndian(data, SafeTensorDTypes.SizeOf(dtype));
        }

        _tensors.Add(name, new Entry(name, dtype, shape.ToArray(), data));
    }

    private static void ToLittleEndian(byte[] data, int elementSize)
    {
        for (int i = 0; i + elementSize <= data.Length; i += elementSize)
        {
            data.AsSpan(i, elementSize).Reverse();
        }
    }

    private List<Entry> Order()
    {
        var ordered = new List<Entry>(_tensors.Values);
        ordered.Sort(static (a, b) =>
        {
            int bySize = SafeTensorDTypes.SizeOf(b.DType).CompareTo(SafeTensorDTypes.SizeOf(a.DType));
            return bySize != 0 ? bySize : string.CompareOrdinal(a.Name, b.Name);
        });
        return ordered;
    }

    private byte[] BuildHeader(List<Entry> ordered)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            Indented = false,

            // Non-ASCII text (vocabularies) stays as UTF-8 instead of \uXXXX escapes; quotes, backslashes and
            // control characters are still escaped, so the header is valid JSON for any string.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in _metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (Entry entry in ordered)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", SafeTensorDTypes.Name(entry.DType));
                json.WriteStartArray("shape");
                foreach (long dimension in entry.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += entry.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        int unpadded = buffer.WrittenCount;
        int padded = (int)((((long)unpadded + 8 + 7) & ~7L) - 8);
        if (padded > SafeTensorsReader.MaxHeaderBytes)
        {
            throw new InvalidOperationException($"The safetensors header would be {padded} bytes, over the limit of {SafeTensorsReader.MaxHeaderBytes} bytes.");
        }

        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(unpadded).Fill((byte)' ');
        return header;
    }

    private sealed record Entry(string Name, SafeTensorDType DType, long[] Shape, byte[] Data);
}
