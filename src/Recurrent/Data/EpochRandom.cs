namespace Recurrent.Data;

/// <summary>The random stream of one epoch: a pure function of (seed, epoch), so an epoch can be replayed on resume.</summary>
internal static class EpochRandom
{
    public static DeterministicRandom Create(int seed, int epoch) =>
        new(((ulong)(uint)seed << 32) | (uint)epoch);

    /// <summary>Fisher–Yates shuffle.</summary>
    public static void Shuffle(Span<int> values, DeterministicRandom random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
