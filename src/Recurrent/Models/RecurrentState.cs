namespace Recurrent.Models;

/// <summary>
/// The hidden (and, for LSTM, cell) state of every layer for B independent lanes. Carried from one
/// window or sampling step to the next; owned by one caller at a time.
/// </summary>
public sealed class RecurrentState
{
    private readonly float[] _hidden; // [L, B, H]
    private readonly float[] _cell;   // [L, B, H] or empty
    private float[] _stepScratch = []; // working memory of a model's Step on this state (not part of the state's value)

    /// <summary>Creates a zeroed state.</summary>
    /// <param name="layers">The number of layers L.</param>
    /// <param name="batchSize">The number of lanes B.</param>
    /// <param name="hiddenSize">The hidden size H.</param>
    /// <param name="hasCellState">Whether the cell carries a second state vector (LSTM).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public RecurrentState(int layers, int batchSize, int hiddenSize, bool hasCellState)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        Layers = layers;
        BatchSize = batchSize;
        HiddenSize = hiddenSize;
        HasCellState = hasCellState;
        _hidden = new float[checked(layers * batchSize * hiddenSize)];
        _cell = hasCellState ? new float[_hidden.Length] : [];
    }

    /// <summary>Gets the number of layers L.</summary>
    public int Layers { get; }

    /// <summary>Gets the number of lanes B.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the hidden size H.</summary>
    public int HiddenSize { get; }

    /// <summary>Gets whether there is a cell state (LSTM).</summary>
    public bool HasCellState { get; }

    /// <summary>Gets the hidden state of one layer, <c>[B, H]</c>.</summary>
    /// <param name="layer">The layer index, 0-based.</param>
    /// <returns>A writable view.</returns>
    public Span<float> Hidden(int layer) => _hidden.AsSpan(LayerOffset(layer), BatchSize * HiddenSize);

    /// <summary>Gets the cell state of one layer, <c>[B, H]</c>.</summary>
    /// <param name="layer">The layer index, 0-based.</param>
    /// <returns>A writable view.</returns>
    /// <exception cref="InvalidOperationException">The cell has no cell state.</exception>
    public Span<float> Cell(int layer)
    {
        if (!HasCellState)
        {
            throw new InvalidOperationException("This state has no cell state (only LSTM cells carry one).");
        }

        return _cell.AsSpan(LayerOffset(layer), BatchSize * HiddenSize);
    }

    /// <summary>Gets all hidden states, <c>[L, B, H]</c>.</summary>
    public Span<float> AllHidden => _hidden;

    /// <summary>Gets all cell states, <c>[L, B, H]</c> (empty without a cell state).</summary>
    public Span<float> AllCell => _cell;

    /// <summary>Sets every lane of every layer to zero.</summary>
    public void Reset()
    {
        Array.Clear(_hidden);
        Array.Clear(_cell);
    }

    /// <summary>Sets one lane of every layer to zero.</summary>
    /// <param name="lane">The lane index, 0-based.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lane"/> is outside [0, B).</exception>
    public void Reset(int lane)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lane);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lane, BatchSize);
        for (int l = 0; l < Layers; l++)
        {
            int offset = LayerOffset(l) + (lane * HiddenSize);
            _hidden.AsSpan(offset, HiddenSize).Clear();
            if (HasCellState)
            {
                _cell.AsSpan(offset, HiddenSize).Clear();
            }
        }
    }

    /// <summary>Copies this state into another of the same shape.</summary>
    /// <param name="destination">The state to overwrite.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyTo(RecurrentState destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Layers != Layers || destination.BatchSize != BatchSize || destination.HiddenSize != HiddenSize || destination.HasCellState != HasCellState)
        {
            throw new ArgumentException("The destination state has a different shape.", nameof(destination));
        }

        _hidden.CopyTo(destination._hidden, 0);
        _cell.CopyTo(destination._cell, 0);
    }

    /// <summary>Creates an independent copy of this state.</summary>
    /// <returns>A new state with the same values.</returns>
    public RecurrentState Clone()
    {
        var copy = new RecurrentState(Layers, BatchSize, HiddenSize, HasCellState);
        CopyTo(copy);
        return copy;
    }

    /// <summary>
    /// Gets at least <paramref name="length"/> floats of working memory for a model's <c>Step</c> on this state, grown
    /// on first use and reused afterwards, so sampling allocates nothing per token. Distinct states never share it.
    /// </summary>
    internal Span<float> StepScratch(int length)
    {
        if (_stepScratch.Length < length)
        {
            _stepScratch = new float[length];
        }

        return _stepScratch.AsSpan(0, length);
    }

    private int LayerOffset(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Layers);
        return layer * BatchSize * HiddenSize;
    }
}
