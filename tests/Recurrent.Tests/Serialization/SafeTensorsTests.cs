using System.Buffers.Binary;
using System.Text;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

public class SafeTensorsTests
{
    [Fact]
    public void Round_trip_preserves_every_dtype_bit_exactly_and_the_metadata()
    {
        using var reader = SafeTensorsReader.FromBytes(SafeTensorsTestFiles.Valid());

        Assert.Equal(new[] { "a.bias", "a.weight", "bytes", "counts", "moments", "random", "steps" }, reader.Tensors.Select(t => t.Name));
        Assert.Equal("test", reader.GetMetadata("format"));
        Assert.Equal("héllo \"quoted\" \\ \n", reader.GetMetadata("note"));

        float[] weight = reader.ReadSingle("a.weight");
        float[] expected = [1f, -2.5f, 3.25f, float.Epsilon, -0f, 6f];
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), weight.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(new long[] { 2, 3 }, reader.Get("a.weight").Shape);
        Assert.Equal(new[] { 0.5f, 0.25f }, reader.ReadSingle("a.bias"));
        Assert.Equal(new[] { 42L }, reader.ReadInt64("steps"));
        Assert.Equal(new[] { Math.PI, -Math.E }, reader.ReadDouble("moments"));
        Assert.Equal(new[] { 7, -8, 9 }, reader.ReadInt32("counts"));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, reader.ReadBytes("bytes"));
        Assert.Equal(new[] { ulong.MaxValue, 1UL << 63, 3UL }, reader.ReadUInt64("random"));

        var destination = new float[2];
        reader.ReadSingle("a.bias", destination);
        Assert.Equal(new[] { 0.5f, 0.25f }, destination);
    }

    [Fact]
    public void Bytes_are_deterministic_whatever_the_insertion_order_and_the_header_is_padded_to_8()
    {
        var first = new SafeTensorsWriter();
        first.AddMetadata("b", "2");
        first.AddMetadata("a", "1");
        first.Add("y", new float[] { 1, 2 }, 2);
        first.Add("x", new float[] { 3 }, 1);
        first.Add("z", new byte[] { 9 }, 1);

        var second = new SafeTensorsWriter();
        second.Add("z", new byte[] { 9 }, 1);
        second.Add("x", new float[] { 3 }, 1);
        second.AddMetadata("a", "1");
        second.Add("y", new float[] { 1, 2 }, 2);
        second.AddMetadata("b", "2");

        byte[] a = first.ToArray();
        byte[] b = second.ToArray();
        Assert.Equal(a, b);

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(a);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        string header = Encoding.UTF8.GetString(a, 8, (int)headerLength);
        Assert.Equal(
            "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},\"z\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[12,13]}}",
            header.TrimEnd(' '));
        Assert.Equal(8 + (int)headerLength + 13, a.Length);
    }

    [Fact]
    public void A_hand_written_file_in_the_reference_layout_loads()
    {
        // As Python's safetensors writes it: no metadata, scalar and empty tensors allowed, offsets relative to the data.
        byte[] data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -2f);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 77);
        byte[] file = SafeTensorsTestFiles.Craft(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"s\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[12,12]}}   ",
            data);
        using var reader = SafeTensorsReader.FromBytes(file);
        Assert.Equal(new[] { 1.5f, -2f }, reader.ReadSingle("w"));
        Assert.Equal(new[] { 77 }, reader.ReadInt32("s"));
        Assert.Empty(reader.ReadSingle("e"));
        Assert.Empty(reader.Metadata);
    }

    [Fact]
    public void Writer_rejects_misuse()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", new float[] { 1 }, 1);
        Assert.Throws<ArgumentException>(() => writer.Add("a", new float[] { 1 }, 1));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new float[] { 1 }, 1));
        Assert.Throws<ArgumentException>(() => writer.Add("b", new float[] { 1, 2 }, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Add("c", new float[] { 1 }, -1, -1));
        writer.AddMetadata("k", "v");
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("k", "w"));
    }

    [Fact]
    public void Typed_reads_check_dtype_and_length()
    {
        using var reader = SafeTensorsReader.FromBytes(SafeTensorsTestFiles.Valid());
        AssertInvalid(() => reader.ReadDouble("a.weight"), "a.weight");
        AssertInvalid(() => reader.ReadSingle("missing"), "missing");
        AssertInvalid(() => reader.ReadSingle("a.bias", new float[3]), "a.bias");
        AssertInvalid(() => reader.GetMetadata("absent"), "absent");
    }

    public static TheoryData<string, string, string> CorruptHeaders => new()
    {
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]}}", "duplicated name", "'w' appears twice" },
        { "{\"w\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unknown dtype", "F99" },
        { "{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype size mismatch", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "shape mismatch", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "shape overflow", "overflows" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807,9223372036854775807],\"data_offsets\":[0,8]}}", "shape overflow", "overflows" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", "byte count overflow", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "negative dimension", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "fractional dimension", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", "huge dimension", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", "rank over the limit", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "offsets past the end", "past the end" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "reversed offsets", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "gap", "gap" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "trailing data", "after the last tensor" },
        { "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap", "overlaps" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", "three offsets", "'w'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "missing offsets", "data_offsets" },
        { "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "missing dtype", "dtype" },
        { "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "duplicated field", "two 'dtype'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", "unknown field", "extra" },
        { "{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", "dtype not a string", "'w'" },
        { "{\"w\":[1,2]}", "tensor not an object", "'w'" },
        { "{\"__metadata__\":{\"k\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "metadata value not a string", "'k'" },
        { "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "duplicated metadata key", "'k'" },
        { "{\"__metadata__\":{\"k\":{\"x\":{\"y\":{\"z\":\"deep\"}}}},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "nested metadata", "'k'" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "unterminated JSON", "header" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}x", "trailing garbage", "JSON" },
        { "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],}}", "trailing comma", "JSON" },
        { "[1,2]", "not an object", "'{'" },
        { "{\"w\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "lone surrogate escape", "string" },
        { "", "empty header", "'{'" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void Corrupt_headers_are_InvalidDataException_naming_the_problem(string header, string why, string mentioned)
    {
        byte[] file = SafeTensorsTestFiles.Craft(header, new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.FromBytes(file).Dispose());
        Assert.True(e.Message.Contains(mentioned, StringComparison.Ordinal), $"{why}: '{e.Message}' should mention {mentioned}");
    }

    [Fact]
    public void Invalid_utf8_in_the_header_is_rejected()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"w\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        header[3] = 0xFF; // replace the 'ÿ' UTF-8 lead byte with a lone invalid byte
        AssertInvalid(() => SafeTensorsReader.FromBytes(SafeTensorsTestFiles.Craft(header, new byte[8])), "UTF-8");
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    [InlineData((ulong)SafeTensorsReader.MaxHeaderBytes + 1)]
    [InlineData(1000UL)]
    public void Header_lengths_beyond_the_limit_or_the_file_are_rejected_before_allocating(ulong length)
    {
        byte[] file = SafeTensorsTestFiles.Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.FromBytes(file));
        Assert.Contains("header length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        byte[] file = SafeTensorsTestFiles.Valid();
        for (int length = 0; length < file.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => SafeTensorsReader.FromBytes(file[..length]));
        }
    }

    [Fact]
    public void Flipping_any_header_byte_either_still_parses_or_is_InvalidDataException()
    {
        byte[] file = SafeTensorsTestFiles.Valid();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        int rejected = 0;
        for (int i = 0; i < headerEnd; i++)
        {
            byte[] copy = (byte[])file.Clone();
            copy[i] ^= 0x5A;
            try
            {
                using var reader = SafeTensorsReader.FromBytes(copy);
                foreach (SafeTensorInfo info in reader.Tensors)
                {
                    Assert.True(info.End <= reader.DataLength);
                }
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
        }

        Assert.True(rejected > headerEnd / 2, $"only {rejected} of {headerEnd} header flips were rejected");
    }

    [Fact]
    public void Save_is_atomic_replaces_the_file_and_leaves_no_temporary_files()
    {
        string directory = Path.Combine(Path.GetTempPath(), "recurrent-st-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "model.safetensors");
            File.WriteAllText(path, "old content");
            var writer = new SafeTensorsWriter();
            writer.Add("w", new float[] { 1, 2, 3 }, 3);
            writer.Save(path);
            Assert.Equal(writer.ToArray(), File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));

            using var reader = SafeTensorsReader.Open(path);
            Assert.Equal(new[] { 1f, 2f, 3f }, reader.ReadSingle("w"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_failing_save_keeps_the_old_file_and_removes_the_temporary_one()
    {
        string directory = Path.Combine(Path.GetTempPath(), "recurrent-st-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "model.safetensors");
            File.WriteAllText(path, "old content");
            Assert.Throws<InvalidTimeZoneException>(() => AtomicFile.Write(path, stream =>
            {
                stream.WriteByte(1);
                throw new InvalidTimeZoneException("simulated failure");
            }));
            Assert.Equal("old content", File.ReadAllText(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void AssertInvalid(Action action, string mentioned)
    {
        var e = Assert.Throws<InvalidDataException>(action);
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }
}
