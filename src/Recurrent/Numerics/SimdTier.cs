using System.Runtime.Intrinsics;

namespace Recurrent.Numerics;

/// <summary>The vector width a kernel runs at; chosen once at start-up from the hardware.</summary>
internal enum SimdTier
{
    /// <summary>Plain scalar code (no hardware intrinsics).</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (SSE, Arm NEON).</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors (AVX2/FMA).</summary>
    Vector256 = 2,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512 = 3,
}

/// <summary>The tier this process runs at.</summary>
internal static class SimdTiers
{
    /// <summary>The widest accelerated tier (honours <c>DOTNET_EnableAVX512F=0</c> and friends).</summary>
    public static readonly SimdTier Best =
        Vector512.IsHardwareAccelerated ? SimdTier.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdTier.Vector256 :
        Vector128.IsHardwareAccelerated ? SimdTier.Vector128 :
        SimdTier.Scalar;
}
