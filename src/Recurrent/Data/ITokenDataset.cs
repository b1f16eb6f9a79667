namespace Recurrent.Data;

/// <summary>
/// A source of training windows over token ids. The order of batches is a pure function of the dataset's
/// seed and the epoch, so a run can resume from (epoch, batch index).
/// </summary>
public interface ITokenDataset
{
    /// <summary>Gets the number of lanes B in every batch.</summary>
    int BatchSize { get; }

    /// <summary>Gets whether the hidden state is carried from one batch to the next (stream mode).</summary>
    bool CarriesState { get; }

    /// <summary>Gets the number of batches in one epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Gets the number of real (unmasked) target tokens in one epoch.</summary>
    long TokensPerEpoch { get; }

    /// <summary>Enumerates the batches of one epoch, starting at <paramref name="startBatch"/>.</summary>
    /// <param name="epoch">The epoch number (0-based); it selects the shuffle order.</param>
    /// <param name="startBatch">The first batch index to yield (to resume mid-epoch).</param>
    /// <returns>The batches; the same <see cref="Batch"/> instance may be reused for each.</returns>
    IEnumerable<Batch> GetBatches(int epoch, int startBatch = 0);
}
