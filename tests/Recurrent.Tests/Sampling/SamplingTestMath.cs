namespace Recurrent.Tests.Sampling;

/// <summary>Reference formulas for the sampling tests, in double.</summary>
internal static class SamplingTestMath
{
    public static double[] Softmax(ReadOnlySpan<float> logits, double temperature = 1)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits)
        {
            max = Math.Max(max, x);
        }

        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = float.IsNegativeInfinity(logits[i]) ? 0 : Math.Exp((logits[i] - max) / temperature);
            sum += p[i];
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }

        return p;
    }

    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > x[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Pearson's chi-square statistic of observed counts against expected probabilities (cells with p = 0 must be empty).</summary>
    public static double ChiSquare(int[] counts, double[] probabilities, out int degreesOfFreedom)
    {
        long n = counts.Sum(c => (long)c);
        double chi = 0;
        degreesOfFreedom = -1;
        for (int i = 0; i < counts.Length; i++)
        {
            if (probabilities[i] == 0)
            {
                Assert.Equal(0, counts[i]);
                continue;
            }

            double expected = n * probabilities[i];
            chi += (counts[i] - expected) * (counts[i] - expected) / expected;
            degreesOfFreedom++;
        }

        return chi;
    }

    /// <summary>Upper 0.1 % critical values of the chi-square distribution (significance α = 0.001), df 1 … 20.</summary>
    public static double ChiSquareCritical001(int degreesOfFreedom) => degreesOfFreedom switch
    {
        1 => 10.828, 2 => 13.816, 3 => 16.266, 4 => 18.467, 5 => 20.515, 6 => 22.458, 7 => 24.322, 8 => 26.124,
        9 => 27.877, 10 => 29.588, 11 => 31.264, 12 => 32.909, 13 => 34.528, 14 => 36.123, 15 => 37.697,
        16 => 39.252, 17 => 40.790, 18 => 42.312, 19 => 43.820, 20 => 45.315,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom)),
    };

    public static float[] RandomLogits(int seed, int vocabularySize, float scale = 3f)
    {
        var random = new DeterministicRandom(seed);
        var logits = new float[vocabularySize];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return logits;
    }
}
