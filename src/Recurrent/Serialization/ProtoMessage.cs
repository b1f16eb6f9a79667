using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Recurrent.Serialization;

/// <summary>
/// Accumulates the fields of one protobuf message through Google.Protobuf's <see cref="CodedOutputStream"/> (each field is
/// encoded into an exactly sized buffer, then appended);
/// nested messages are serialized first and written as length-delimited fields. Only what the ONNX export
/// needs: varint integers, fixed 32-bit floats, strings, bytes and sub-messages.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Writes an <c>int64</c> (or <c>int32</c>/enum) field.</summary>
    /// <param name="field">The field number.</param>
    /// <param name="value">The value.</param>
    /// <returns>This message.</returns>
    public ProtoMessage Int64(int field, long value)
    {
        int size = CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeInt64Size(value);
        return Append(size, output =>
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteInt64(value);
        });
    }

    /// <summary>Writes a <c>float</c> field.</summary>
    /// <param name="field">The field number.</param>
    /// <param name="value">The value.</param>
    /// <returns>This message.</returns>
    public ProtoMessage Float(int field, float value)
    {
        int size = CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeFloatSize(value);
        return Append(size, output =>
        {
            output.WriteTag(field, WireFormat.WireType.Fixed32);
            output.WriteFloat(value);
        });
    }

    /// <summary>Writes a <c>string</c> field (UTF-8).</summary>
    /// <param name="field">The field number.</param>
    /// <param name="value">The value.</param>
    /// <returns>This message.</returns>
    public ProtoMessage String(int field, string value)
    {
        int size = CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeStringSize(value);
        return Append(size, output =>
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        });
    }

    /// <summary>Writes a <c>bytes</c> field.</summary>
    /// <param name="field">The field number.</param>
    /// <param name="value">The bytes.</param>
    /// <returns>This message.</returns>
    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value) => Bytes(field, ByteString.CopyFrom(value));

    /// <summary>Writes little-endian <c>float</c> values as a <c>bytes</c> field (ONNX <c>raw_data</c>).</summary>
    /// <param name="field">The field number.</param>
    /// <param name="values">The values.</param>
    /// <returns>This message.</returns>
    public ProtoMessage RawFloats(int field, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return Bytes(field, MemoryMarshal.AsBytes(values));
        }

        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Bytes(field, bytes);
    }

    /// <summary>Writes a nested message field.</summary>
    /// <param name="field">The field number.</param>
    /// <param name="message">The nested message.</param>
    /// <returns>This message.</returns>
    public ProtoMessage Message(int field, ProtoMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.ToByteString());
    }

    /// <summary>Returns the serialized message.</summary>
    /// <returns>The message bytes.</returns>
    public ByteString ToByteString() => ByteString.CopyFrom(_buffer.WrittenSpan);

    /// <summary>Writes the serialized message to a stream.</summary>
    /// <param name="destination">The stream.</param>
    public void WriteTo(Stream destination) => destination.Write(_buffer.WrittenSpan);

    private ProtoMessage Bytes(int field, ByteString value)
    {
        int size = CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeBytesSize(value);
        return Append(size, output =>
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(value);
        });
    }

    private ProtoMessage Append(int size, Action<CodedOutputStream> write)
    {
        byte[] encoded = new byte[size];
        using (var output = new CodedOutputStream(encoded))
        {
            write(output);
            output.CheckNoSpaceLeft();
        }

        _buffer.Write(encoded);
        return this;
    }
}
