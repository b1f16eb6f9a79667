using Recurrent.Data;

namespace Recurrent.Tests.Training;

/// <summary>
/// An in-memory <see cref="ITokenDataset"/> double. Stream mode: the corpus is cut into B lanes and windows of
/// T steps, state carried, reset at the first window of an epoch. Sentence mode: sentences grouped B at a time in
/// a seeded per-epoch order, padded and masked, state reset every batch. One <see cref="Batch"/> is reused.
/// </summary>
internal sealed class MemoryDataset : ITokenDataset
{
    private readonly int[]? _stream;
    private readonly int[][]? _sentences;
    private readonly int _steps;
    private readonly int _seed;
    private readonly Batch _batch = new();

    private MemoryDataset(int[]? stream, int[][]? sentences, int batchSize, int steps, int seed)
    {
        _stream = stream;
        _sentences = sentences;
        BatchSize = batchSize;
        _steps = steps;
        _seed = seed;
        if (stream is not null)
        {
            int laneLength = (stream.Length - 1) / batchSize;
            BatchesPerEpoch = laneLength / steps;
            TokensPerEpoch = (long)BatchesPerEpoch * steps * batchSize;
        }
        else
        {
            BatchesPerEpoch = sentences!.Length / batchSize;
            TokensPerEpoch = sentences.Take(BatchesPerEpoch * batchSize).Sum(s => (long)s.Length - 1);
        }
    }

    public int BatchSize { get; }

    public bool CarriesState => _stream is not null;

    public int BatchesPerEpoch { get; }

    public long TokensPerEpoch { get; }

    public static MemoryDataset Stream(int[] corpus, int batchSize, int steps) => new(corpus, null, batchSize, steps, 0);

    public static MemoryDataset Sentences(int[][] sentences, int batchSize, int seed) => new(null, sentences, batchSize, 0, seed);

    public IEnumerable<Batch> GetBatches(int epoch, int startBatch = 0)
    {
        if (_stream is not null)
        {
            int laneLength = (_stream.Length - 1) / BatchSize;
            for (int k = startBatch; k < BatchesPerEpoch; k++)
            {
                _batch.Reset(_steps, BatchSize, resetState: k == 0);
                Span<int> inputs = _batch.InputsBuffer;
                Span<int> targets = _batch.TargetsBuffer;
                for (int t = 0; t < _steps; t++)
                {
                    for (int b = 0; b < BatchSize; b++)
                    {
                        int at = (b * laneLength) + (k * _steps) + t;
                        inputs[(t * BatchSize) + b] = _stream[at];
                        targets[(t * BatchSize) + b] = _stream[at + 1];
                    }
                }

                _batch.MaskBuffer.Fill(1f);
                _batch.CountTokens();
                yield return _batch;
            }

            yield break;
        }

        int[] order = Enumerable.Range(0, _sentences!.Length).ToArray();
        new DeterministicRandom((_seed * 7919) + epoch).Shuffle(order);
        for (int k = startBatch; k < BatchesPerEpoch; k++)
        {
            int steps = 0;
            for (int b = 0; b < BatchSize; b++)
            {
                steps = Math.Max(steps, _sentences[order[(k * BatchSize) + b]].Length - 1);
            }

            _batch.Reset(steps, BatchSize, resetState: true);
            Span<int> inputs = _batch.InputsBuffer;
            Span<int> targets = _batch.TargetsBuffer;
            Span<float> mask = _batch.MaskBuffer;
            for (int b = 0; b < BatchSize; b++)
            {
                int[] sentence = _sentences[order[(k * BatchSize) + b]];
                for (int t = 0; t < steps; t++)
                {
                    bool real = t < sentence.Length - 1;
                    inputs[(t * BatchSize) + b] = real ? sentence[t] : 0;
                    targets[(t * BatchSize) + b] = real ? sentence[t + 1] : 0;
                    mask[(t * BatchSize) + b] = real ? 1f : 0f;
                }
            }

            _batch.CountTokens();
            yield return _batch;
        }
    }
}
