using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Recurrent.Training;

/// <summary>
/// A minimal, strict safetensors container used only by <see cref="CheckpointFile"/> until the library's
/// serialization layer provides its own: 8-byte little-endian header length, a JSON header (with
/// <c>__metadata__</c> strings and per-tensor dtype, shape and byte offsets), then the raw little-endian data.
/// Supports the dtypes checkpoints need (F32 and U64). Isolated so it can be swapped for the shared container.
/// </summary>
internal static class SafeTensorsContainer
{
    private const int MaxHeaderBytes = 100 << 20;

    /// <summary>One tensor to write: a name, a dtype tag, a shape and its raw little-endian bytes.</summary>
    internal readonly record struct Entry(string Name, string DType, long[] Shape, ReadOnlyMemory<byte> Data);

    /// <summary>One tensor read back: dtype, shape and a slice of the file's data section.</summary>
    internal readonly record struct Tensor(string DType, long[] Shape, ReadOnlyMemory<byte> Data);

    /// <summary>Creates an F32 entry.</summary>
    public static Entry F32(string name, float[] values, params long[] shape) =>
        new(name, "F32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Creates a U64 entry.</summary>
    public static Entry U64(string name, ulong[] values) =>
        new(name, "U64", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>
    /// Writes the container to <paramref name="path"/> atomically: the bytes go to a temporary file beside it,
    /// which is flushed to disk and then renamed over the target, so a crash never leaves a partial file at
    /// <paramref name="path"/>.
    /// </summary>
    public static void WriteAtomically(string path, IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        EnsureLittleEndian();
        byte[] header = BuildHeader(entries, metadata);
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (Entry entry in entries)
                {
                    stream.Write(entry.Data.Span);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Serialises the container to bytes (the exact bytes <see cref="WriteAtomically"/> writes).</summary>
    public static byte[] ToBytes(IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        EnsureLittleEndian();
        byte[] header = BuildHeader(entries, metadata);
        long total = 8 + header.Length;
        foreach (Entry entry in entries)
        {
            total += entry.Data.Length;
        }

        byte[] bytes = new byte[checked((int)total)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        int offset = 8 + header.Length;
        foreach (Entry entry in entries)
        {
            entry.Data.Span.CopyTo(bytes.AsSpan(offset));
            offset += entry.Data.Length;
        }

        return bytes;
    }

    /// <summary>
    /// Parses a container, validating every length, offset, shape and dtype: the header must be valid JSON, every
    /// tensor's byte range must match its shape and lie inside the data section, and the ranges must cover the
    /// data section exactly (so a truncated or extended file is rejected).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid container.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> file)
    {
        EnsureLittleEndian();
        ReadOnlySpan<byte> span = file.Span;
        if (span.Length < 8)
        {
            throw new InvalidDataException($"The file is {span.Length} bytes long; a safetensors file has at least an 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(span.Length - 8))
        {
            throw new InvalidDataException($"The header length {headerLength} does not fit the file of {span.Length} bytes (truncated or not a safetensors file).");
        }

        ReadOnlyMemory<byte> data = file[(8 + (int)headerLength)..];
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var ranges = new List<(long Begin, long End)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(file.Slice(8, (int)headerLength));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("The header is not a JSON object.");
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (JsonProperty item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.GetString() ?? throw new InvalidDataException($"Metadata '{item.Name}' is not a string.");
                    }

                    continue;
                }

                JsonElement info = property.Value;
                string dtype = info.GetProperty("dtype").GetString() ?? string.Empty;
                int elementSize = dtype switch
                {
                    "F32" => 4,
                    "U64" => 8,
                    _ => throw new InvalidDataException($"Tensor '{property.Name}' has unsupported dtype '{dtype}'."),
                };
                long[] shape = [.. info.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64())];
                long count = 1;
                foreach (long dim in shape)
                {
                    if (dim < 0 || dim > int.MaxValue)
                    {
                        throw new InvalidDataException($"Tensor '{property.Name}' has an invalid dimension {dim}.");
                    }

                    count = checked(count * dim);
                }

                JsonElement offsets = info.GetProperty("data_offsets");
                if (offsets.GetArrayLength() != 2)
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' must have two data offsets.");
                }

                long begin = offsets[0].GetInt64();
                long end = offsets[1].GetInt64();
                if (begin < 0 || end < begin || end > data.Length)
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' has byte range [{begin}, {end}) outside the data section of {data.Length} bytes (truncated file?).");
                }

                if (end - begin != checked(count * elementSize))
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' has {end - begin} bytes; its shape and dtype need {count * elementSize}.");
                }

                if (!tensors.TryAdd(property.Name, new Tensor(dtype, shape, data[(int)begin..(int)end])))
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' appears twice.");
                }

                ranges.Add((begin, end));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException("The safetensors header is malformed: " + e.Message, e);
        }

        ranges.Sort();
        long covered = 0;
        foreach ((long begin, long end) in ranges)
        {
            if (begin != covered)
            {
                throw new InvalidDataException($"The data section has a gap or overlap at byte {covered}.");
            }

            covered = end;
        }

        if (covered != data.Length)
        {
            throw new InvalidDataException($"The tensors cover {covered} bytes but the data section has {data.Length} (truncated or extended file).");
        }

        return (tensors, metadata);
    }

    private static byte[] BuildHeader(IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach ((string key, string value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            long offset = 0;
            foreach (Entry entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType);
                writer.WriteStartArray("shape");
                foreach (long dim in entry.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + entry.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += entry.Data.Length;
            }

            writer.WriteEndObject();
        }

        // Pad the header with spaces to a multiple of 8 bytes, as the reference implementation does.
        int padded = (buffer.WrittenCount + 7) & ~7;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoint files are little-endian; big-endian platforms are not supported.");
        }
    }

    /// <summary>Decodes an F32 tensor's data.</summary>
    public static float[] ReadF32(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray();

    /// <summary>Decodes a U64 tensor's data.</summary>
    public static ulong[] ReadU64(Tensor tensor) => MemoryMarshal.Cast<byte, ulong>(tensor.Data.Span).ToArray();
}
