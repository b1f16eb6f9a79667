using System.Diagnostics.CodeAnalysis;

namespace Recurrent.Numerics;

/// <summary>Throw helpers for the kernels: keeps the throwing code out of the hot methods.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument_SpanTooShort(string paramName) =>
        throw new ArgumentException("The span is too short for the given dimensions.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_LeadingDimension(string paramName) =>
        throw new ArgumentException("The leading dimension is smaller than the row width.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_Overlap(string paramName) =>
        throw new ArgumentException("The output span overlaps an input span.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_Bias(string paramName) =>
        throw new ArgumentException("The bias row must be empty or one value per column of C, apart from C.", paramName);

    [DoesNotReturn]
    public static void ThrowArgument_LengthMismatch(string paramName) =>
        throw new ArgumentException("The span length does not match the other arguments.", paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Negative(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "The value must not be negative.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_NotPositive(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "The value must be positive.");

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange_Index(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "An index is outside the table.");

    [DoesNotReturn]
    public static void ThrowInvalidOperation_NotPacked() =>
        throw new InvalidOperationException("The packed matrix has not been packed yet: call Pack first.");
}
