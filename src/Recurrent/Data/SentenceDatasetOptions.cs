namespace Recurrent.Data;

/// <summary>Options for <see cref="SentenceDataset"/>.</summary>
public sealed class SentenceDatasetOptions
{
    /// <summary>Gets the seed of the per-epoch shuffle. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Gets whether sentences and batches are shuffled each epoch. Default true; when false the batches are in length order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Gets the maximum number of steps (input positions) of a sentence; longer sentences are truncated. Null (default) for no limit.</summary>
    public int? MaxSteps { get; init; }
}
