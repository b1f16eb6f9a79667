namespace Recurrent.Data;

/// <summary>
/// Stream mode: the corpus is one long id stream. By default it is cut into B contiguous lanes (the tail that does not
/// divide evenly is dropped) and read in windows of T steps, input <c>lane[i … i+T)</c> and target
/// <c>lane[i+1 … i+T]</c>; each window continues the previous one, so a model carries its hidden state across windows
/// (truncated BPTT) and <see cref="Batch.ResetState"/> is true only on the first window of an epoch. The last window
/// of an epoch may be shorter than T.
/// </summary>
/// <remarks>
/// With <see cref="StreamDatasetOptions.Stride"/> k set, windows of T steps start every k tokens instead (TFLearn's
/// semi-redundant sequences); they are independent, shuffled each epoch with a <see cref="DeterministicRandom"/>
/// seeded from (seed, epoch), batched B at a time (the last batch padded and masked), and every batch resets the state.
/// The stream is kept as given (not copied): do not change it while the dataset is in use.
/// </remarks>
public sealed class StreamDataset : ITokenDataset
{
    private readonly ReadOnlyMemory<int> _stream;
    private readonly int _steps;
    private readonly int? _stride;
    private readonly int _laneLength;
    private readonly int _windowCount;
    private readonly int _seed;
    private readonly bool _shuffle;
    private readonly Batch _batch = new();

    /// <summary>Creates a stream dataset.</summary>
    /// <param name="stream">The token ids, all non-negative.</param>
    /// <param name="batchSize">The number of lanes B.</param>
    /// <param name="steps">The window length T.</param>
    /// <param name="options">The options; null for contiguous lanes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/>, <paramref name="steps"/> or the stride is below 1.</exception>
    /// <exception cref="ArgumentException">An id is negative, or the stream is too short for one window (contiguous: fewer than 2·B ids; overlapping: fewer than T + 1).</exception>
    public StreamDataset(ReadOnlyMemory<int> stream, int batchSize, int steps, StreamDatasetOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        options ??= new StreamDatasetOptions();
        if (options.Stride is { } stride)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(options));
        }

        foreach (int id in stream.Span)
        {
            if (id < 0)
            {
                throw new ArgumentException($"Id {id} is negative.", nameof(stream));
            }
        }

        _stream = stream;
        _steps = steps;
        _stride = options.Stride;
        _seed = options.Seed;
        _shuffle = options.Shuffle;
        BatchSize = batchSize;
        int n = stream.Length;
        if (_stride is { } k)
        {
            if (n < steps + 1)
            {
                throw new ArgumentException($"The stream has {n} ids; overlapping windows of {steps} steps need at least {steps + 1}.", nameof(stream));
            }

            _windowCount = ((n - steps - 1) / k) + 1;
            BatchesPerEpoch = (_windowCount + batchSize - 1) / batchSize;
            TokensPerEpoch = (long)_windowCount * steps;
        }
        else
        {
            _laneLength = n / batchSize;
            if (_laneLength < 2)
            {
                throw new ArgumentException($"The stream has {n} ids; {batchSize} lanes need at least {2 * batchSize}.", nameof(stream));
            }

            BatchesPerEpoch = (_laneLength - 1 + steps - 1) / steps;
            TokensPerEpoch = (long)(_laneLength - 1) * batchSize;
        }
    }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public bool CarriesState => _stride is null;

    /// <inheritdoc />
    public int BatchesPerEpoch { get; }

    /// <inheritdoc />
    public long TokensPerEpoch { get; }

    /// <summary>Gets the window length T.</summary>
    public int Steps => _steps;

    /// <summary>Gets the lane length (contiguous mode) or 0 (overlapping mode).</summary>
    public int LaneLength => _laneLength;

    /// <summary>Gets the stride of overlapping windows, or null for contiguous lanes.</summary>
    public int? Stride => _stride;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative, or <paramref name="startBatch"/> is not in <c>[0, BatchesPerEpoch]</c>.</exception>
    public IEnumerable<Batch> GetBatches(int epoch, int startBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startBatch, BatchesPerEpoch);
        return _stride is null ? EnumerateLanes(startBatch) : EnumerateWindows(epoch, startBatch);
    }

    private IEnumerable<Batch> EnumerateLanes(int startBatch)
    {
        for (int k = startBatch; k < BatchesPerEpoch; k++)
        {
            int offset = k * _steps;
            int steps = Math.Min(_steps, _laneLength - 1 - offset);
            _batch.Reset(steps, BatchSize, resetState: k == 0);
            ReadOnlySpan<int> stream = _stream.Span;
            Span<int> inputs = _batch.InputsBuffer;
            Span<int> targets = _batch.TargetsBuffer;
            for (int b = 0; b < BatchSize; b++)
            {
                ReadOnlySpan<int> lane = stream.Slice((b * _laneLength) + offset, steps + 1);
                for (int t = 0; t < steps; t++)
                {
                    inputs[(t * BatchSize) + b] = lane[t];
                    targets[(t * BatchSize) + b] = lane[t + 1];
                }
            }

            _batch.MaskBuffer.Fill(1f);
            _batch.CountTokens();
            yield return _batch;
        }
    }

    private IEnumerable<Batch> EnumerateWindows(int epoch, int startBatch)
    {
        int stride = _stride!.Value;
        var order = new int[_windowCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (_shuffle)
        {
            EpochRandom.Shuffle(order, EpochRandom.Create(_seed, epoch));
        }

        for (int k = startBatch; k < BatchesPerEpoch; k++)
        {
            _batch.Reset(_steps, BatchSize, resetState: true);
            ReadOnlySpan<int> stream = _stream.Span;
            Span<int> inputs = _batch.InputsBuffer;
            Span<int> targets = _batch.TargetsBuffer;
            Span<float> mask = _batch.MaskBuffer;
            inputs.Clear();
            targets.Clear();
            mask.Clear();
            int first = k * BatchSize;
            int lanes = Math.Min(BatchSize, _windowCount - first);
            for (int b = 0; b < lanes; b++)
            {
                ReadOnlySpan<int> window = stream.Slice(order[first + b] * stride, _steps + 1);
                for (int t = 0; t < _steps; t++)
                {
                    inputs[(t * BatchSize) + b] = window[t];
                    targets[(t * BatchSize) + b] = window[t + 1];
                    mask[(t * BatchSize) + b] = 1f;
                }
            }

            _batch.CountTokens();
            yield return _batch;
        }
    }
}
