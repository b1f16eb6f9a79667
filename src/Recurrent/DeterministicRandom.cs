namespace Recurrent;

/// <summary>
/// A small, fast, seedable pseudo-random generator (xoshiro256**) whose whole state can be read and
/// restored, so that a training checkpoint can resume on exactly the same random stream.
/// </summary>
/// <remarks>
/// It derives from <see cref="Random"/>, so it can be passed anywhere a <see cref="Random"/> is accepted.
/// The sequence for a given seed is fixed by this library (it does not depend on the .NET version).
/// Not thread-safe; not for cryptographic use.
/// </remarks>
public sealed class DeterministicRandom : Random
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed (expanded with SplitMix64).</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Creates a generator from a 32-bit seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public DeterministicRandom(int seed)
        : this(unchecked((ulong)seed))
    {
    }

    /// <summary>Gets the four 64-bit words of the generator state.</summary>
    /// <returns>A new array of length 4.</returns>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state previously returned by <see cref="GetState"/>.</summary>
    /// <param name="state">Four 64-bit words, not all zero.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="state"/> does not have length 4 or is all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4)
        {
            throw new ArgumentException("The state must have exactly 4 words.", nameof(state));
        }

        if ((state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException("The state must not be all zero.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>Returns the next 64 random bits.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <inheritdoc />
    public override int Next() => (int)(NextUInt64() >> 33);

    /// <inheritdoc />
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextBounded((ulong)maxValue);
    }

    /// <inheritdoc />
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)((long)minValue + (long)NextBounded((ulong)((long)maxValue - minValue)));
    }

    /// <inheritdoc />
    public override long NextInt64() => (long)(NextUInt64() >> 1);

    /// <inheritdoc />
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)NextBounded((ulong)maxValue);
    }

    /// <inheritdoc />
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue + (long)NextBounded((ulong)(maxValue - minValue));
    }

    /// <inheritdoc />
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc />
    public override float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1U << 24));

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(NextUInt64() >> 56);
        }
    }

    /// <inheritdoc />
    protected override double Sample() => NextDouble();

    // Lemire's nearly-divisionless bounded integer, with rejection so every value is equally likely.
    private ulong NextBounded(ulong range)
    {
        if (range == 0)
        {
            return 0;
        }

        ulong threshold = (0 - range) % range;
        while (true)
        {
            ulong r = NextUInt64();
            ulong high = Math.BigMul(r, range, out ulong low);
            if (low >= threshold)
            {
                return high;
            }
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
