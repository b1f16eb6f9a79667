namespace Recurrent.Sampling;

/// <summary>
/// Per-sample random streams: sample <c>i</c> of a call with base seed <c>s</c> always draws from
/// <c>DeterministicRandom(Derive(s, i))</c>, whatever batch it runs in, so batched and one-by-one generation agree.
/// </summary>
internal static class SampleSeeds
{
    /// <summary>Mixes a base seed and a sample index into the seed of that sample's generator (SplitMix64 finaliser).</summary>
    public static ulong Derive(ulong baseSeed, int sampleIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIndex);
        ulong z = unchecked(baseSeed + (0x9E3779B97F4A7C15UL * ((ulong)sampleIndex + 1)));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Creates the generator of sample <paramref name="sampleIndex"/>.</summary>
    public static DeterministicRandom Create(ulong baseSeed, int sampleIndex) => new(Derive(baseSeed, sampleIndex));
}
