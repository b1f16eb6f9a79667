namespace Recurrent.Data;

/// <summary>Options for <see cref="StreamDataset"/>.</summary>
public sealed class StreamDatasetOptions
{
    /// <summary>
    /// Gets the stride k for overlapping ("semi-redundant") windows, as TFLearn's sequence generator makes them: a window
    /// of T steps starts every k tokens, windows are independent (the state is reset for every batch) and shuffled each
    /// epoch. Null (default) for the contiguous lanes of truncated BPTT.
    /// </summary>
    public int? Stride { get; init; }

    /// <summary>Gets the seed of the per-epoch shuffle of overlapping windows. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Gets whether overlapping windows are shuffled each epoch. Default true. Contiguous lanes are never shuffled.</summary>
    public bool Shuffle { get; init; } = true;
}
