using Recurrent.Text;

namespace Recurrent.Data;

/// <summary>
/// Sentence mode: each sequence (typically <c>START w1 … wn END</c>) gives input = all ids but the last and
/// target = all ids but the first. B sequences of similar length form a batch, padded to the longest (pad id 0)
/// with a mask that is 0 on padding, so padding never counts in the loss or the gradients. Every batch starts from
/// a zero state (<see cref="Batch.ResetState"/> is always true).
/// </summary>
/// <remarks>
/// Each epoch the sequences are shuffled with a <see cref="DeterministicRandom"/> seeded from (seed, epoch), stably
/// sorted by length and cut into batches, and the batch order is shuffled; so batch k of epoch e is the same on every run.
/// The ids are stored once, flat, in an <c>int[]</c>: memory is proportional to the number of ids.
/// Sequences shorter than 2 ids give no training pair and are dropped.
/// </remarks>
public sealed class SentenceDataset : ITokenDataset
{
    private readonly int[] _ids;
    private readonly int[] _offsets; // sequence i is _ids[_offsets[i] .. _offsets[i + 1])
    private readonly int _seed;
    private readonly bool _shuffle;
    private readonly int _maxLength; // longest sequence length used (MaxSteps + 1)
    private readonly Batch _batch = new();

    private const string NothingToTrainOn = "No sequence has at least 2 ids (after adding start/end markers), so there is nothing to train on.";

    /// <summary>Creates a dataset over complete id sequences (markers already in place).</summary>
    /// <param name="sequences">The sequences, e.g. <c>START w1 … wn END</c>; all ids must be non-negative.</param>
    /// <param name="batchSize">The number of sequences per batch (B).</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null or contains null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or MaxSteps is below 1.</exception>
    /// <exception cref="ArgumentException">An id is negative, or no sequence has at least 2 ids.</exception>
    public SentenceDataset(IEnumerable<int[]> sequences, int batchSize, SentenceDatasetOptions? options)
        : this(Flatten(sequences, null, null), batchSize, options)
    {
    }

    private SentenceDataset((int[] Ids, int[] Offsets) flat, int batchSize, SentenceDatasetOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        options ??= new SentenceDatasetOptions();
        if (options.MaxSteps is { } maxSteps)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1, nameof(options));
        }

        _maxLength = options.MaxSteps is { } m ? m + 1 : int.MaxValue;
        (_ids, _offsets) = flat;
        BatchSize = batchSize;
        _seed = options.Seed;
        _shuffle = options.Shuffle;
        BatchesPerEpoch = (SequenceCount + batchSize - 1) / batchSize;
        long tokens = 0;
        for (int i = 0; i < SequenceCount; i++)
        {
            tokens += Length(i) - 1;
        }

        TokensPerEpoch = tokens;
    }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public bool CarriesState => false;

    /// <inheritdoc />
    public int BatchesPerEpoch { get; }

    /// <inheritdoc />
    public long TokensPerEpoch { get; }

    /// <summary>Gets the number of sequences.</summary>
    public int SequenceCount => _offsets.Length - 1;

    /// <summary>Creates a dataset from sentences of ids, adding the vocabulary's sentence start and end ids around each (those it has).</summary>
    /// <param name="sentences">The sentences (without markers).</param>
    /// <param name="vocabulary">The vocabulary the ids come from.</param>
    /// <param name="batchSize">The number of sentences per batch (B).</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is outside the vocabulary, or no sentence gives a training pair.</exception>
    public static SentenceDataset FromSentences(IEnumerable<int[]> sentences, Vocabulary vocabulary, int batchSize, SentenceDatasetOptions? options)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        (int[] ids, int[] offsets) = Flatten(sentences, vocabulary.SentenceStartId, vocabulary.SentenceEndId);
        foreach (int id in ids)
        {
            if (id >= vocabulary.Count)
            {
                throw new ArgumentException($"Id {id} is outside the vocabulary of {vocabulary.Count}.", nameof(sentences));
            }
        }

        return new SentenceDataset((ids, offsets), batchSize, options);
    }

    /// <summary>Creates a dataset over flat ids, wrapping each sequence in start/end ids.</summary>
    internal static SentenceDataset FromFlat(ReadOnlySpan<int> ids, ReadOnlySpan<int> offsets, int? startId, int? endId, int batchSize, SentenceDatasetOptions? options)
    {
        int extra = (startId is null ? 0 : 1) + (endId is null ? 0 : 1);
        int count = offsets.Length - 1;
        var flatIds = new int[ids.Length + (count * extra)];
        var flatOffsets = new List<int>(count + 1) { 0 };
        int n = 0;
        for (int i = 0; i < count; i++)
        {
            int start = n;
            if (startId is { } s)
            {
                flatIds[n++] = s;
            }

            ReadOnlySpan<int> sequence = ids[offsets[i]..offsets[i + 1]];
            sequence.CopyTo(flatIds.AsSpan(n));
            n += sequence.Length;
            if (endId is { } e)
            {
                flatIds[n++] = e;
            }

            if (n - start < 2)
            {
                n = start; // no training pair
            }
            else
            {
                flatOffsets.Add(n);
            }
        }

        if (flatOffsets.Count == 1)
        {
            throw new ArgumentException(NothingToTrainOn, nameof(ids));
        }

        return new SentenceDataset((flatIds.AsSpan(0, n).ToArray(), [.. flatOffsets]), batchSize, options);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative, or <paramref name="startBatch"/> is not in <c>[0, BatchesPerEpoch]</c>.</exception>
    public IEnumerable<Batch> GetBatches(int epoch, int startBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startBatch, BatchesPerEpoch);
        return Enumerate(epoch, startBatch);
    }

    /// <summary>Gets, for one epoch, the sequence indices in batch order: batch k holds entries <c>[k·B, (k+1)·B)</c> of the result (fewer in the last).</summary>
    internal int[][] GetEpochPlan(int epoch)
    {
        int n = SequenceCount;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        DeterministicRandom random = EpochRandom.Create(_seed, epoch);
        if (_shuffle)
        {
            EpochRandom.Shuffle(order, random);
        }

        // Stable sort by length: the key is (length, position after the shuffle).
        var keys = new long[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((long)Length(order[i]) << 32) | (uint)i;
        }

        Array.Sort(keys, order);
        var batches = new int[BatchesPerEpoch][];
        for (int k = 0; k < batches.Length; k++)
        {
            batches[k] = order.AsSpan(k * BatchSize, Math.Min(BatchSize, n - (k * BatchSize))).ToArray();
        }

        if (_shuffle)
        {
            var batchOrder = new int[batches.Length];
            for (int i = 0; i < batchOrder.Length; i++)
            {
                batchOrder[i] = i;
            }

            EpochRandom.Shuffle(batchOrder, random);
            batches = [.. batchOrder.Select(i => batches[i])];
        }

        return batches;
    }

    private IEnumerable<Batch> Enumerate(int epoch, int startBatch)
    {
        int[][] plan = GetEpochPlan(epoch);
        for (int k = startBatch; k < plan.Length; k++)
        {
            Fill(plan[k]);
            yield return _batch;
        }
    }

    private void Fill(int[] sequences)
    {
        int steps = 0;
        foreach (int s in sequences)
        {
            steps = Math.Max(steps, Length(s) - 1);
        }

        int lanes = BatchSize;
        _batch.Reset(steps, lanes, resetState: true);
        Span<int> inputs = _batch.InputsBuffer;
        Span<int> targets = _batch.TargetsBuffer;
        Span<float> mask = _batch.MaskBuffer;
        inputs.Clear();
        targets.Clear();
        mask.Clear();
        for (int b = 0; b < sequences.Length; b++)
        {
            int s = sequences[b];
            ReadOnlySpan<int> ids = _ids.AsSpan(_offsets[s], Length(s));
            for (int t = 0; t < ids.Length - 1; t++)
            {
                inputs[(t * lanes) + b] = ids[t];
                targets[(t * lanes) + b] = ids[t + 1];
                mask[(t * lanes) + b] = 1f;
            }
        }

        _batch.CountTokens();
    }

    private int Length(int sequence) => Math.Min(_offsets[sequence + 1] - _offsets[sequence], _maxLength);

    private static (int[] Ids, int[] Offsets) Flatten(IEnumerable<int[]> sequences, int? startId, int? endId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var ids = new List<int>();
        var offsets = new List<int> { 0 };
        foreach (int[] sequence in sequences)
        {
            ArgumentNullException.ThrowIfNull(sequence, nameof(sequences));
            int start = ids.Count;
            if (startId is { } s)
            {
                ids.Add(s);
            }

            foreach (int id in sequence)
            {
                if (id < 0)
                {
                    throw new ArgumentException($"Id {id} is negative.", nameof(sequences));
                }

                ids.Add(id);
            }

            if (endId is { } e)
            {
                ids.Add(e);
            }

            if (ids.Count - start < 2)
            {
                ids.RemoveRange(start, ids.Count - start);
            }
            else
            {
                offsets.Add(ids.Count);
            }
        }

        if (offsets.Count == 1)
        {
            throw new ArgumentException(NothingToTrainOn, nameof(sequences));
        }

        return ([.. ids], [.. offsets]);
    }
}
