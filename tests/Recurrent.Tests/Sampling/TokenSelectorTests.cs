using Recurrent.Tests.TestUtilities;
using FsCheck;
using FsCheck.Xunit;
using Recurrent.Sampling;

namespace Recurrent.Tests.Sampling;

public class TokenSelectorTests
{
    private static int Vocab(byte b) => 2 + (b % 60);

    [Property(MaxTest = 100)]
    public bool Greedy_is_argmax(int seed, byte vocabulary)
    {
        float[] logits = SamplingTestMath.RandomLogits(seed, Vocab(vocabulary));
        var selector = new TokenSelector(logits.Length, new SamplingOptions { Temperature = 0f });
        return selector.Select(logits, default, false, new DeterministicRandom(seed)) == SamplingTestMath.ArgMax(logits);
    }

    [Fact]
    public void Temperature_towards_zero_approaches_greedy()
    {
        float[] logits = SamplingTestMath.RandomLogits(7, 20);
        int best = SamplingTestMath.ArgMax(logits);
        logits[best] += 0.3f; // a clear margin: at T = 0.01 the runner-up has weight below e^-30
        double previousMass = 0;
        double previousHits = -1;
        foreach (float t in new[] { 2f, 1f, 0.5f, 0.2f, 0.05f, 0.01f })
        {
            var selector = new TokenSelector(logits.Length, new SamplingOptions { Temperature = t });
            var p = new double[logits.Length];
            selector.Distribution(logits, default, false, p);
            Assert.True(p[best] > previousMass, $"mass on the argmax must grow as T falls (T={t}: {p[best]} after {previousMass})");
            previousMass = p[best];

            var random = new DeterministicRandom(1);
            int hits = 0;
            for (int i = 0; i < 2000; i++)
            {
                hits += selector.Select(logits, default, false, random) == best ? 1 : 0;
            }

            Assert.True(hits >= previousHits, $"T={t}: {hits} argmax draws after {previousHits}");
            previousHits = hits;
        }

        Assert.True(previousMass > 1 - 1e-9, $"at T=0.01 the distribution is (numerically) one-hot: {previousMass}");
        Assert.Equal(2000, previousHits);
    }

    [Property(MaxTest = 100)]
    public bool TopK_never_emits_a_token_outside_the_k_most_likely(int seed, byte vocabulary, byte kByte)
    {
        float[] logits = SamplingTestMath.RandomLogits(seed, Vocab(vocabulary));
        int k = 1 + (kByte % logits.Length);
        float kth = logits.OrderDescending().ElementAt(k - 1);
        var selector = new TokenSelector(logits.Length, new SamplingOptions { TopK = k, Temperature = 1.5f });
        var random = new DeterministicRandom(seed);
        var p = new double[logits.Length];
        selector.Distribution(logits, default, false, p);
        if (p.Count(x => x > 0) != k)
        {
            return false;
        }

        for (int i = 0; i < 50; i++)
        {
            if (logits[selector.Select(logits, default, false, random)] < kth)
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 100)]
    public void TopP_keeps_the_smallest_set_whose_mass_reaches_p(int seed, byte vocabulary, byte pByte, bool withTopK)
    {
        float[] logits = SamplingTestMath.RandomLogits(seed, Vocab(vocabulary), scale: 4f);
        float topP = 0.05f + (0.9f * (pByte / 255f));
        int k = withTopK ? Math.Max(1, logits.Length / 2) : 0;
        var selector = new TokenSelector(logits.Length, new SamplingOptions { TopP = topP, TopK = k, Temperature = 0.8f });
        var kept = new double[logits.Length];
        selector.Distribution(logits, default, false, kept);

        // Reference: softmax at T = 0.8 over the top-k (or all) tokens, sorted descending.
        double[] softmax = SamplingTestMath.Softmax(logits, 0.8);
        int[] order = [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => softmax[i])];
        if (k > 0)
        {
            order = order[..k];
        }

        double total = order.Sum(i => softmax[i]);
        int[] keptIds = [.. Enumerable.Range(0, logits.Length).Where(i => kept[i] > 0)];
        double keptMass = keptIds.Sum(i => softmax[i]) / total;
        double smallestKept = keptIds.Min(i => softmax[i]) / total;
        Assert.True(keptMass >= topP - 1e-6, $"kept mass {keptMass} < p {topP}");
        Assert.True(keptMass - smallestKept < topP + 1e-6, $"without its least likely member the kept set still has mass {keptMass - smallestKept} ≥ p {topP}");
        foreach (int i in order.Except(keptIds))
        {
            Assert.True(softmax[i] / total <= smallestKept + 1e-12, "an excluded token is more likely than a kept one");
        }

        // The kept distribution is the renormalised softmax restricted to the kept set.
        foreach (int i in keptIds)
        {
            Assert.Equal(softmax[i] / total / keptMass, kept[i], 1e-5);
        }
    }

    [Property(MaxTest = 100)]
    public bool Banned_tokens_never_appear(int seed, byte vocabulary, int bannedMask, byte settings)
    {
        float[] logits = SamplingTestMath.RandomLogits(seed, Vocab(vocabulary), scale: 6f);
        int[] banned = [.. Enumerable.Range(0, logits.Length).Where(i => ((bannedMask >> (i % 31)) & 1) == 1 && i != seed % logits.Length && i != 0)];
        var options = new SamplingOptions
        {
            BannedTokenIds = banned,
            Temperature = (settings & 3) switch { 0 => 0f, 1 => 0.5f, 2 => 1f, _ => 3f },
            TopK = (settings & 4) != 0 ? 3 : 0,
            TopP = (settings & 8) != 0 ? 0.7f : 1f,
            RepetitionPenalty = (settings & 16) != 0 ? 1.3f : 1f,
        };
        var selector = new TokenSelector(logits.Length, options);
        var random = new DeterministicRandom(seed);
        int[] seen = [0, 1];
        for (int i = 0; i < 40; i++)
        {
            if (banned.Contains(selector.Select(logits, seen, false, random)))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Temperature_one_matches_the_softmax_chi_square()
    {
        // 20,000 draws from a fixed 12-token distribution with a fixed seed; H0 "draws follow softmax(logits)"
        // is rejected at significance α = 0.001 when χ² exceeds the critical value for df = 11.
        float[] logits = SamplingTestMath.RandomLogits(42, 12, scale: 2f);
        double[] expected = SamplingTestMath.Softmax(logits);
        var selector = new TokenSelector(logits.Length, new SamplingOptions());
        var random = new DeterministicRandom(2024);
        int[] counts = new int[logits.Length];
        for (int i = 0; i < 20_000; i++)
        {
            counts[selector.Select(logits, default, false, random)]++;
        }

        double chi = SamplingTestMath.ChiSquare(counts, expected, out int df);
        Assert.Equal(11, df);
        Assert.True(chi < SamplingTestMath.ChiSquareCritical001(df), $"χ² = {chi:F2} ≥ {SamplingTestMath.ChiSquareCritical001(df)} (df {df}, α = 0.001)");
    }

    [Fact]
    public void Filtered_distribution_matches_draws_chi_square()
    {
        // Temperature 0.7, top-k 8, top-p 0.9 and a repetition penalty: the draws follow Distribution() (α = 0.001).
        float[] logits = SamplingTestMath.RandomLogits(5, 16, scale: 2f);
        var selector = new TokenSelector(logits.Length, new SamplingOptions { Temperature = 0.7f, TopK = 8, TopP = 0.9f, RepetitionPenalty = 1.5f });
        int[] seen = [SamplingTestMath.ArgMax(logits), 3];
        var p = new double[logits.Length];
        selector.Distribution(logits, seen, false, p);
        var random = new DeterministicRandom(99);
        int[] counts = new int[logits.Length];
        for (int i = 0; i < 20_000; i++)
        {
            counts[selector.Select(logits, seen, false, random)]++;
        }

        double chi = SamplingTestMath.ChiSquare(counts, p, out int df);
        Assert.True(df >= 1);
        Assert.True(chi < SamplingTestMath.ChiSquareCritical001(df), $"χ² = {chi:F2} (df {df}, α = 0.001)");
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits()
    {
        float[] logits = [2f, -1f, 0.5f, 1f];
        var selector = new TokenSelector(4, new SamplingOptions { RepetitionPenalty = 2f });
        var p = new double[4];
        selector.Distribution(logits, [0, 1], false, p);
        double[] expected = SamplingTestMath.Softmax([1f, -2f, 0.5f, 1f]);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], p[i], 1e-6);
        }
    }

    [Fact]
    public void Stop_ids_are_suppressed_only_when_asked()
    {
        float[] logits = [0f, 5f, 0f];
        var selector = new TokenSelector(3, new SamplingOptions { StopTokenIds = [1], Temperature = 0f });
        Assert.Equal(1, selector.Select(logits, default, false, new DeterministicRandom(0)));
        Assert.NotEqual(1, selector.Select(logits, default, true, new DeterministicRandom(0)));
    }

    [Fact]
    public void Select_allocates_nothing()
    {
        float[] logits = SamplingTestMath.RandomLogits(3, 500);
        int[] seen = [1, 2, 3];
        foreach (SamplingOptions options in new[]
        {
            new SamplingOptions(),
            new SamplingOptions { Temperature = 0f },
            new SamplingOptions { TopK = 40, TopP = 0.9f, RepetitionPenalty = 1.2f, BannedTokenIds = [4] },
            new SamplingOptions { TopP = 0.95f },
        })
        {
            var selector = new TokenSelector(logits.Length, options);
            var random = new DeterministicRandom(1);
            selector.Select(logits, seen, true, random);
            Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
            {
                for (int i = 0; i < 200; i++)
                {
                    selector.Select(logits, seen, true, random);
                }
            }));
        }
    }

    [Fact]
    public void Misuse_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSelector(4, new SamplingOptions { Temperature = -1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSelector(4, new SamplingOptions { TopP = 0f }));
        Assert.Throws<ArgumentException>(() => new TokenSelector(4, new SamplingOptions { BannedTokenIds = [4] }));
        Assert.Throws<ArgumentException>(() => new TokenSelector(4, new SamplingOptions { MinLength = 5, MaxLength = 4 }));
        var all = new TokenSelector(2, new SamplingOptions { BannedTokenIds = [0, 1] });
        Assert.Throws<InvalidOperationException>(() => all.Select([1f, 2f], default, false, new DeterministicRandom(0)));
        var selector = new TokenSelector(2, new SamplingOptions());
        Assert.Throws<InvalidOperationException>(() => selector.Select([float.NaN, 2f], default, false, new DeterministicRandom(0)));
    }
}
