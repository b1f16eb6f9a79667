namespace Recurrent.Serialization;

/// <summary>One validated tensor entry of a safetensors header.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions (empty for a scalar).</param>
/// <param name="ElementCount">The product of <paramref name="Shape"/> (1 for a scalar).</param>
/// <param name="Begin">The first byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
internal sealed record SafeTensorInfo(string Name, SafeTensorDType DType, IReadOnlyList<long> Shape, long ElementCount, long Begin, long End)
{
    /// <summary>Gets the number of data bytes.</summary>
    public long ByteCount => End - Begin;

    /// <summary>Gets the shape as text, e.g. <c>[4, 3]</c>, for messages.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
