using System.Buffers.Binary;
using System.Text;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

/// <summary>Builds valid and hand-crafted safetensors files for the tests.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>A small valid file with metadata and tensors of several dtypes.</summary>
    public static byte[] Valid()
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "test");
        writer.AddMetadata("note", "héllo \"quoted\" \\ \n");
        writer.Add("a.weight", new float[] { 1f, -2.5f, 3.25f, float.Epsilon, -0f, 6f }, 2, 3);
        writer.Add("a.bias", new float[] { 0.5f, 0.25f }, 2);
        writer.Add("steps", new long[] { 42L }, 1);
        writer.Add("moments", new double[] { Math.PI, -Math.E }, 2);
        writer.Add("counts", new int[] { 7, -8, 9 }, 3);
        writer.Add("bytes", new byte[] { 1, 2, 3, 4, 5 }, 5);
        writer.Add("random", new ulong[] { ulong.MaxValue, 1UL << 63, 3 }, 3);
        return writer.ToArray();
    }

    /// <summary>Assembles a file from a header string (used verbatim) and a data section.</summary>
    public static byte[] Craft(string header, byte[] data) => Craft(Encoding.UTF8.GetBytes(header), data);

    /// <summary>Assembles a file from header bytes (used verbatim) and a data section.</summary>
    public static byte[] Craft(byte[] header, byte[] data)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }
}
