using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

public class SafeTensorsMutationProperties
{
    private static readonly byte[] s_valid = SafeTensorsTestFiles.Valid();

    /// <summary>
    /// Any mutation of a valid file (byte flips, truncation, extension, header-length games) either loads, with
    /// every tensor readable and in range, or throws <see cref="InvalidDataException"/>; nothing else.
    /// The FsCheck seed reproduces a failure; the mutation itself is derived from the generated seed.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Mutated_files_load_or_throw_InvalidDataException(int seed)
    {
        byte[] file = Mutate(s_valid, new DeterministicRandom(seed));
        try
        {
            using var reader = SafeTensorsReader.FromBytes(file);
            long total = 0;
            foreach (SafeTensorInfo info in reader.Tensors)
            {
                Assert.InRange(info.End, info.Begin, reader.DataLength);
                total += info.ByteCount;
                ReadAny(reader, info);
            }

            Assert.Equal(reader.DataLength, total);
        }
        catch (InvalidDataException)
        {
            // the only acceptable failure
        }
    }

    internal static byte[] Mutate(byte[] valid, DeterministicRandom random)
    {
        byte[] file = (byte[])valid.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0: // flip a random byte anywhere
                    if (file.Length > 0)
                    {
                        file[random.Next(file.Length)] ^= (byte)(1 + random.Next(255));
                    }

                    break;
                case 1: // flip a byte inside the header
                    if (file.Length > 8)
                    {
                        file[8 + random.Next(Math.Min(headerEnd, file.Length) - 8)] = (byte)random.Next(256);
                    }

                    break;
                case 2: // truncate
                    file = file[..random.Next(file.Length + 1)];
                    break;
                case 3: // extend with random bytes
                    byte[] longer = new byte[file.Length + 1 + random.Next(16)];
                    file.CopyTo(longer, 0);
                    random.NextBytes(longer.AsSpan(file.Length));
                    file = longer;
                    break;
                case 4: // header length games: random, huge, off by a little
                    if (file.Length >= 8)
                    {
                        ulong length = random.Next(4) switch
                        {
                            0 => random.NextUInt64(),
                            1 => 1UL << random.Next(64),
                            2 => (ulong)Math.Max(0, headerEnd - 8 + random.Next(-9, 10)),
                            _ => (ulong)random.Next(file.Length + 8),
                        };
                        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
                    }

                    break;
                case 5: // replace a digit in the header with another digit (offsets, shapes)
                    int start = random.Next(Math.Max(1, Math.Min(headerEnd, file.Length)));
                    for (int i = start; i < Math.Min(headerEnd, file.Length); i++)
                    {
                        if (file[i] is >= (byte)'0' and <= (byte)'9')
                        {
                            file[i] = (byte)('0' + random.Next(10));
                            break;
                        }
                    }

                    break;
                default: // swap two header bytes
                    if (Math.Min(headerEnd, file.Length) > 9)
                    {
                        int limit = Math.Min(headerEnd, file.Length);
                        int i = 8 + random.Next(limit - 8);
                        int j = 8 + random.Next(limit - 8);
                        (file[i], file[j]) = (file[j], file[i]);
                    }

                    break;
            }
        }

        return file;
    }

    private static void ReadAny(SafeTensorsReader reader, SafeTensorInfo info)
    {
        switch (info.DType)
        {
            case SafeTensorDType.F32: Assert.Equal(info.ElementCount, reader.ReadSingle(info.Name).Length); break;
            case SafeTensorDType.F64: Assert.Equal(info.ElementCount, reader.ReadDouble(info.Name).Length); break;
            case SafeTensorDType.I64: Assert.Equal(info.ElementCount, reader.ReadInt64(info.Name).Length); break;
            case SafeTensorDType.U64: Assert.Equal(info.ElementCount, reader.ReadUInt64(info.Name).Length); break;
            case SafeTensorDType.I32: Assert.Equal(info.ElementCount, reader.ReadInt32(info.Name).Length); break;
            case SafeTensorDType.U8: Assert.Equal(info.ElementCount, reader.ReadBytes(info.Name).Length); break;
            default: break;
        }
    }
}
