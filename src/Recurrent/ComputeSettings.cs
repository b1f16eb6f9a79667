namespace Recurrent;

/// <summary>Process-wide compute settings for the library's kernels.</summary>
/// <remarks>
/// Results never depend on <see cref="MaxDegreeOfParallelism"/>: work is split into a fixed partition and
/// every reduction runs in a fixed order, so the same seed gives the same model on 1 thread or on all cores.
/// </remarks>
public static class ComputeSettings
{
    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// Gets or sets how many threads the library's kernels may use (default: the processor count): large matrix
    /// products, batch-1 matrix-vector products, the loss, the optimizer's pass over large models, and the lanes of a
    /// recurrent layer's time loop at batch sizes of 16 or more.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref s_maxDegreeOfParallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_maxDegreeOfParallelism, value);
        }
    }
}
