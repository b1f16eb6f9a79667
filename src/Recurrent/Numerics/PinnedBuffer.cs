using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Numerics;

/// <summary>Pinned, 64-byte aligned float buffers for the kernels' raw pointers.</summary>
internal static unsafe class PinnedBuffer
{
    /// <summary>
    /// Makes <paramref name="array"/> hold at least <paramref name="floats"/> floats from the 64-byte aligned address
    /// <paramref name="aligned"/>, allocating (pinned on the POH, so the pointer stays valid for the array's lifetime)
    /// only when it is missing or too small; returns the aligned pointer.
    /// </summary>
    public static float* Ensure(ref float[]? array, ref nint aligned, long floats)
    {
        if (array is null || array.Length - 16 < floats)
        {
            float[] grown = GC.AllocateUninitializedArray<float>((int)floats + 16, pinned: true);
            nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(grown));
            aligned = (p + 63) & ~(nint)63;
            array = grown;
        }

        return (float*)aligned;
    }
}
