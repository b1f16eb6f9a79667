using Recurrent.Models;
using Recurrent.Sampling;

namespace Recurrent.Tests.Sampling;

public class TokenGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int V = 12;
    private const int End = 11;

    private static FakeModel Model(float historyWeight = 0.8f) => new(V, seed: 3, historyWeight);

    [Fact]
    public void Greedy_picks_the_argmax_at_every_step()
    {
        FakeModel model = Model();
        var options = new SamplingOptions { Temperature = 0f, MaxLength = 15, StopTokenIds = [End] };
        GeneratedSequence result = new TokenGenerator(model, options).Generate([0, 4], baseSeed: 1, count: 1, cancellationToken: Ct)[0];

        // Reference: step the model by hand and take the argmax each time.
        RecurrentState state = model.CreateState(1);
        float[] logits = new float[V];
        model.Step([0], state, logits);
        model.Step([4], state, logits);
        var expected = new List<int>();
        while (expected.Count < 15)
        {
            int best = SamplingTestMath.ArgMax(logits);
            if (best == End)
            {
                break;
            }

            expected.Add(best);
            model.Step([best], state, logits);
        }

        Assert.Equal(expected, result.TokenIds);
        Assert.Equal(expected.Count == 15 ? StopReason.MaxLength : StopReason.StopToken, result.Reason);
    }

    public static TheoryData<string> Policies() => ["plain", "filtered", "resample", "suppress"];

    private static SamplingOptions Policy(string name) => name switch
    {
        "plain" => new SamplingOptions { MaxLength = 20, StopTokenIds = [End] },
        "filtered" => new SamplingOptions { Temperature = 0.8f, TopK = 6, TopP = 0.9f, RepetitionPenalty = 1.3f, BannedTokenIds = [2], MaxLength = 20, StopTokenIds = [End] },
        "resample" => new SamplingOptions { MinLength = 6, MaxLength = 12, StopTokenIds = [End, 10], MaxAttempts = 5 },
        _ => new SamplingOptions { MinLength = 6, MaxLength = 12, StopTokenIds = [End, 10], MinLengthMode = MinLengthMode.SuppressStop },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Batched_equals_one_by_one_with_the_same_per_sample_seeds(string policy)
    {
        FakeModel model = Model();
        SamplingOptions options = Policy(policy);
        int[] prompt = [0, 5, 7];
        GeneratedSequence[] batched = new TokenGenerator(model, options with { BatchSize = 4 }).Generate(prompt, baseSeed: 77, count: 13, cancellationToken: Ct);
        Assert.Equal(13, batched.Length);
        for (int i = 0; i < batched.Length; i++)
        {
            GeneratedSequence single = new TokenGenerator(model, options with { BatchSize = 1 }).Generate(prompt, baseSeed: 77, count: 1, firstSampleIndex: i, cancellationToken: Ct)[0];
            Assert.Equal(i, batched[i].SampleIndex);
            Assert.Equal(single.TokenIds, batched[i].TokenIds);
            Assert.Equal(single.Reason, batched[i].Reason);
            Assert.Equal(single.Attempts, batched[i].Attempts);

            int[] streamed = [.. new TokenGenerator(model, options).Stream(prompt, 77, i, cancellationToken: Ct)];
            Assert.Equal(single.TokenIds, streamed);
        }

        // Not all the same: the samples really are independent draws.
        Assert.True(batched.Select(s => string.Join(',', s.TokenIds)).Distinct().Count() > 5);
    }

    [Fact]
    public async Task Async_stream_equals_sync_stream_and_honours_cancellation()
    {
        FakeModel model = Model();
        var generator = new TokenGenerator(model, new SamplingOptions { MaxLength = 30 });
        var collected = new List<int>();
        await foreach (int id in generator.StreamAsync([1], 5, 0, TestContext.Current.CancellationToken))
        {
            collected.Add(id);
        }

        Assert.Equal(generator.Stream([1], 5, 0, cancellationToken: Ct), collected);

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int id in generator.StreamAsync([1], 5, 0, cts.Token))
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Stream([1], 5, 0, cts.Token).ToList());
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate([1], 5, 3, cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(MinLengthMode.Resample)]
    [InlineData(MinLengthMode.SuppressStop)]
    public void Min_and_max_length_are_honoured(MinLengthMode mode)
    {
        // Make the end token by far the most likely after every token: most free samples would be very short.
        FakeModel model = Model(historyWeight: 0.3f);
        for (int i = 0; i < V; i++)
        {
            model.SetLogit(i, End, 2.5f);
        }

        var free = new TokenGenerator(model, new SamplingOptions { StopTokenIds = [End], MaxLength = 50 }).Generate([0], 9, 200, cancellationToken: Ct);
        Assert.True(free.Count(s => s.TokenIds.Length < 4) > 100, "the model should favour short samples");

        var options = new SamplingOptions { StopTokenIds = [End], MinLength = 4, MaxLength = 7, MinLengthMode = mode, MaxAttempts = 20 };
        GeneratedSequence[] samples = new TokenGenerator(model, options).Generate([0], 9, 200, cancellationToken: Ct);
        Assert.All(samples, s => Assert.InRange(s.TokenIds.Length, 4, 7));
        Assert.All(samples, s => Assert.DoesNotContain(End, s.TokenIds));
        Assert.Contains(samples, s => s.Reason == StopReason.MaxLength && s.TokenIds.Length == 7);
        Assert.Contains(samples, s => s.Reason == StopReason.StopToken);
        if (mode == MinLengthMode.Resample)
        {
            Assert.Contains(samples, s => s.Attempts > 1);
        }
        else
        {
            Assert.All(samples, s => Assert.Equal(1, s.Attempts));
        }
    }

    [Fact]
    public void Same_seed_same_samples_and_different_seed_different_samples()
    {
        FakeModel model = Model();
        var generator = new TokenGenerator(model, new SamplingOptions { MaxLength = 25 });
        string Run(ulong seed) => string.Join('|', generator.Generate([3], seed, 4, cancellationToken: Ct).Select(s => string.Join(',', s.TokenIds)));
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void First_token_distribution_matches_the_model_softmax_chi_square()
    {
        // Batched generation of one token after a prompt: the counts follow softmax of the model's logits after the
        // prompt (α = 0.001, df = V − 1 = 11; 12,000 samples, fixed seed).
        FakeModel model = Model();
        int[] prompt = [4, 2];
        RecurrentState state = model.CreateState(1);
        float[] logits = new float[V];
        model.Step([4], state, logits);
        model.Step([2], state, logits);
        double[] expected = SamplingTestMath.Softmax(logits);

        var samples = new TokenGenerator(model, new SamplingOptions { MaxLength = 1, BatchSize = 64 }).Generate(prompt, 31337, 12_000, cancellationToken: Ct);
        int[] counts = new int[V];
        foreach (GeneratedSequence s in samples)
        {
            counts[s.TokenIds[0]]++;
        }

        double chi = SamplingTestMath.ChiSquare(counts, expected, out int df);
        Assert.Equal(V - 1, df);
        Assert.True(chi < SamplingTestMath.ChiSquareCritical001(df), $"χ² = {chi:F2} (df {df}, α = 0.001)");
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        FakeModel model = Model();
        var generator = new TokenGenerator(model, new SamplingOptions());
        Assert.Throws<ArgumentException>(() => generator.Generate([], 0, 1, cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => generator.Generate([V], 0, 1, cancellationToken: Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate([0], 0, 0, cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => new TokenGenerator(model, new SamplingOptions { StopTokenIds = [-1] }));
        Assert.Empty(new TokenGenerator(model, new SamplingOptions { MaxLength = 0 }).Generate([0], 0, 2, cancellationToken: Ct)[1].TokenIds);
    }
}
