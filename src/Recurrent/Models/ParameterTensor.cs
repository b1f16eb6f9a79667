namespace Recurrent.Models;

/// <summary>A named view into a model's flat parameter (or gradient) buffer.</summary>
/// <param name="Name">The PyTorch <c>state_dict</c> name, e.g. <c>rnn.weight_ih_l0</c>.</param>
/// <param name="Rows">The first dimension.</param>
/// <param name="Columns">The second dimension, or 0 for a vector.</param>
/// <param name="Offset">The element offset in the flat buffer.</param>
public sealed record ParameterTensor(string Name, int Rows, int Columns, int Offset)
{
    /// <summary>Gets the number of elements.</summary>
    public int Length => Columns == 0 ? Rows : Rows * Columns;

    /// <summary>Gets the shape as PyTorch reports it: <c>[Rows]</c> or <c>[Rows, Columns]</c>.</summary>
    public IReadOnlyList<int> Shape => Columns == 0 ? [Rows] : [Rows, Columns];
}
