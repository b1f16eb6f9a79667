namespace Recurrent.Tests.Training;

/// <summary>
/// A synthetic source with a known answer: an order-k Markov chain over V symbols whose next-symbol
/// distributions are random but peaked. Its entropy rate (nats per symbol) is computed exactly from the
/// stationary distribution of the k-symbol contexts.
/// </summary>
internal sealed class MarkovSource
{
    private readonly int _v;
    private readonly int _order;
    private readonly double[][] _next; // [context] → distribution over the next symbol

    private MarkovSource(int vocabularySize, int order, double[][] next)
    {
        _v = vocabularySize;
        _order = order;
        _next = next;
    }

    public MarkovSource(int vocabularySize, int order, int seed, double concentration = 0.3, int support = 4)
    {
        _v = vocabularySize;
        _order = order;
        int contexts = (int)Math.Pow(vocabularySize, order);
        _next = new double[contexts][];
        var random = new DeterministicRandom(seed);
        for (int c = 0; c < contexts; c++)
        {
            // A few likely successors per context, so that the entropy is well below log V.
            var p = new double[vocabularySize];
            for (int j = 0; j < support; j++)
            {
                p[random.Next(vocabularySize)] += 1.0 + random.NextDouble();
            }

            for (int j = 0; j < vocabularySize; j++)
            {
                p[j] += concentration / vocabularySize;
            }

            double sum = p.Sum();
            _next[c] = p.Select(x => x / sum).ToArray();
        }
    }

    /// <summary>Gets the order k (the number of previous symbols the next one depends on).</summary>
    public int Order => _order;

    /// <summary>
    /// An order-2 chain over V symbols with structure a small network can learn from a few hundred thousand
    /// tokens: after (a, b) the next symbol is <c>b + 1</c> with probability 0.6, <c>a + 7</c> with
    /// probability 0.25, and uniform with probability 0.15 (all mod V). It depends on both previous symbols.
    /// </summary>
    public static MarkovSource StructuredOrder2(int vocabularySize)
    {
        int v = vocabularySize;
        var next = new double[v * v][];
        for (int a = 0; a < v; a++)
        {
            for (int b = 0; b < v; b++)
            {
                var p = new double[v];
                for (int s = 0; s < v; s++)
                {
                    p[s] = 0.15 / v;
                }

                p[(b + 1) % v] += 0.6;
                p[(a + 7) % v] += 0.25;
                next[(a * v) + b] = p;
            }
        }

        return new MarkovSource(v, 2, next);
    }

    public int[] Generate(int length, int seed)
    {
        var random = new DeterministicRandom(seed);
        var ids = new int[length];
        int context = 0;
        int contexts = _next.Length;
        for (int i = 0; i < length; i++)
        {
            double r = random.NextDouble();
            double[] p = _next[context];
            int s = 0;
            while (s < _v - 1 && r >= p[s])
            {
                r -= p[s];
                s++;
            }

            ids[i] = s;
            context = ((context * _v) + s) % contexts;
        }

        return ids;
    }

    /// <summary>The entropy rate in nats per symbol: Σ_c π(c)·H(next | c), π by power iteration.</summary>
    public double EntropyRate()
    {
        int contexts = _next.Length;
        var pi = Enumerable.Repeat(1.0 / contexts, contexts).ToArray();
        for (int iteration = 0; iteration < 500; iteration++)
        {
            var nextPi = new double[contexts];
            for (int c = 0; c < contexts; c++)
            {
                for (int s = 0; s < _v; s++)
                {
                    nextPi[((c * _v) + s) % contexts] += pi[c] * _next[c][s];
                }
            }

            pi = nextPi;
        }

        double h = 0;
        for (int c = 0; c < contexts; c++)
        {
            foreach (double p in _next[c])
            {
                if (p > 0)
                {
                    h -= pi[c] * p * Math.Log(p);
                }
            }
        }

        return h;
    }
}
