namespace Recurrent.Models;

/// <summary>
/// The first layer's input projection <c>W_ih·E[id] + b_ih</c> per token id, computed the first time an id is stepped
/// at batch 1 and reused after that, so a step reads one row of <c>[V, G·H]</c> instead of all of W_ih. Only offered
/// when that table is no larger than W_ih itself (V ≤ E: character-level models; see
/// <see cref="RecurrentLanguageModel.CreateInputProjectionMemo"/>). A stored row holds exactly the floats the step
/// would compute, so steps with and without the memo give the same bits.
/// </summary>
/// <remarks>
/// The rows are valid only while the parameters do not change: a generation call creates its own memo, and the model
/// must not be trained during the call (which would already be a data race with the sampler's steps).
/// </remarks>
internal sealed class InputProjectionMemo
{
    private readonly float[] _rows;   // [V, width]
    private readonly bool[] _filled;  // [V]

    /// <summary>Creates an empty memo for <paramref name="vocabularySize"/> ids of <paramref name="width"/> floats.</summary>
    public InputProjectionMemo(int vocabularySize, int width)
    {
        _rows = new float[checked(vocabularySize * width)];
        _filled = new bool[vocabularySize];
        Width = width;
    }

    /// <summary>Gets the floats per row (G·H of the first layer).</summary>
    public int Width { get; }

    /// <summary>Gets the number of rows computed so far.</summary>
    public int FilledCount { get; private set; }

    /// <summary>Copies the stored row of <paramref name="id"/> into <paramref name="destination"/>; false when it is not stored yet.</summary>
    public bool TryCopyTo(int id, Span<float> destination)
    {
        if (!_filled[id])
        {
            return false;
        }

        _rows.AsSpan(id * Width, Width).CopyTo(destination);
        return true;
    }

    /// <summary>Stores the row of <paramref name="id"/>.</summary>
    public void Store(int id, ReadOnlySpan<float> row)
    {
        row[..Width].CopyTo(_rows.AsSpan(id * Width, Width));
        if (!_filled[id])
        {
            _filled[id] = true;
            FilledCount++;
        }
    }
}
