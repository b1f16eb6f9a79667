using BenchmarkDotNet.Attributes;
using Recurrent.Sampling;

namespace Recurrent.Benchmarks.Sampling;

/// <summary>
/// The cost of the sampling policy alone (logits → one id) per token, for a character (V = 65) and a word
/// (V = 10,000) vocabulary. Expected: 0 B allocated.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 7)]
public class SamplingPolicyBenchmarks
{
    private float[] _logits = [];
    private int[] _seen = [];
    private TokenSelector _selector = null!;
    private DeterministicRandom _random = null!;

    /// <summary>Gets or sets the vocabulary size V.</summary>
    [Params(65, 10_000)]
    public int VocabularySize { get; set; }

    /// <summary>Gets or sets the policy: plain softmax sampling, greedy, top-k 40, nucleus 0.9, or everything at once.</summary>
    [Params("softmax", "greedy", "top-k", "top-p", "all")]
    public string Policy { get; set; } = "softmax";

    /// <summary>Creates seeded logits and the selector.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(1);
        _logits = new float[VocabularySize];
        for (int i = 0; i < _logits.Length; i++)
        {
            _logits[i] = (float)(random.NextDouble() * 8) - 4;
        }

        _seen = [1, 5, 9, 12, 33];
        SamplingOptions options = Policy switch
        {
            "greedy" => new SamplingOptions { Temperature = 0f },
            "top-k" => new SamplingOptions { TopK = 40 },
            "top-p" => new SamplingOptions { TopP = 0.9f },
            "all" => new SamplingOptions { Temperature = 0.8f, TopK = 40, TopP = 0.9f, RepetitionPenalty = 1.2f, BannedTokenIds = [0] },
            _ => new SamplingOptions(),
        };
        _selector = new TokenSelector(VocabularySize, options);
        _random = new DeterministicRandom(2);
    }

    /// <summary>One policy step.</summary>
    /// <returns>The chosen id.</returns>
    [Benchmark]
    public int Select() => _selector.Select(_logits, _seen, false, _random);
}
