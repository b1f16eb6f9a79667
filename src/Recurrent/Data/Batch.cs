namespace Recurrent.Data;

/// <summary>
/// One training window of B lanes and T steps, time-major: element <c>t·B + b</c> is step t of lane b.
/// Datasets may reuse one instance from batch to batch; copy what must outlive the next batch.
/// </summary>
public sealed class Batch
{
    private int[] _inputs = [];
    private int[] _targets = [];
    private float[] _mask = [];

    /// <summary>Creates an empty batch (filled by a dataset).</summary>
    public Batch()
    {
    }

    /// <summary>Gets the number of steps T.</summary>
    public int Steps { get; private set; }

    /// <summary>Gets the number of lanes B.</summary>
    public int BatchSize { get; private set; }

    /// <summary>Gets the input ids, <c>[T, B]</c>.</summary>
    public ReadOnlySpan<int> Inputs => _inputs.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets the target ids, <c>[T, B]</c>.</summary>
    public ReadOnlySpan<int> Targets => _targets.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets the mask, <c>[T, B]</c>: 1 for a real position, 0 for padding.</summary>
    public ReadOnlySpan<float> Mask => _mask.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets the number of real (unmasked) positions.</summary>
    public int TokenCount { get; private set; }

    /// <summary>Gets whether the model must start this batch from a zero state (sentence mode, or the first window of an epoch).</summary>
    public bool ResetState { get; private set; }

    /// <summary>Gets the writable input buffer for a dataset to fill.</summary>
    internal Span<int> InputsBuffer => _inputs.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets the writable target buffer for a dataset to fill.</summary>
    internal Span<int> TargetsBuffer => _targets.AsSpan(0, Steps * BatchSize);

    /// <summary>Gets the writable mask buffer for a dataset to fill.</summary>
    internal Span<float> MaskBuffer => _mask.AsSpan(0, Steps * BatchSize);

    /// <summary>Resizes the buffers (growing only) and sets the shape; contents are unspecified.</summary>
    internal void Reset(int steps, int batchSize, bool resetState)
    {
        int n = checked(steps * batchSize);
        if (_inputs.Length < n)
        {
            _inputs = new int[n];
            _targets = new int[n];
            _mask = new float[n];
        }

        Steps = steps;
        BatchSize = batchSize;
        ResetState = resetState;
        TokenCount = 0;
    }

    /// <summary>Recounts <see cref="TokenCount"/> from the mask after a dataset filled it.</summary>
    internal void CountTokens()
    {
        int count = 0;
        foreach (float m in Mask)
        {
            if (m != 0f)
            {
                count++;
            }
        }

        TokenCount = count;
    }
}
