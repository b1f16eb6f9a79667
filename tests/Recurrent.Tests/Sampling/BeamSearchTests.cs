using Recurrent.Sampling;

namespace Recurrent.Tests.Sampling;

public class BeamSearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int V = 4;
    private const int End = 3;

    [Fact]
    public void Width_one_is_greedy()
    {
        var model = new FakeModel(9, seed: 8, historyWeight: 0.5f);
        var options = new SamplingOptions { MaxLength = 12, StopTokenIds = [8], BannedTokenIds = [1] };
        BeamHypothesis best = BeamSearch.Search(model, [0], 1, 0, options, cancellationToken: Ct)[0];
        GeneratedSequence greedy = new TokenGenerator(model, options with { Temperature = 0f }).Generate([0], 0, 1, cancellationToken: Ct)[0];
        Assert.Equal(greedy.TokenIds, best.TokenIds);
        Assert.Equal(-SequenceScorer.Score(model, [0, .. best.TokenIds, .. best.Reason == StopReason.StopToken ? new[] { 8 } : []]).Sum, best.LogProbability, 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Exhaustive_width_finds_the_best_sequence_by_brute_force(double lengthPenalty)
    {
        var model = new FakeModel(V, seed: 21, historyWeight: 0.7f);
        var options = new SamplingOptions { MaxLength = 4, MinLength = 1, StopTokenIds = [End] };
        IReadOnlyList<BeamHypothesis> beams = BeamSearch.Search(model, [0], 200, lengthPenalty, options, cancellationToken: Ct);

        // Every sequence: 1..3 tokens then the end token, or 4 tokens (cut at the maximum length).
        double bestScore = double.NegativeInfinity;
        int[] best = [];
        foreach (int[] seq in Sequences(4))
        {
            bool ended = seq.Length < 4;
            int[] ids = [0, .. seq, .. ended ? new[] { End } : []];
            double logP = -SequenceScorer.Score(model, ids).Sum;
            int length = seq.Length + (ended ? 1 : 0);
            double score = lengthPenalty == 0 ? logP : logP / Math.Pow(length, lengthPenalty);
            if (score > bestScore)
            {
                (bestScore, best) = (score, seq);
            }
        }

        Assert.Equal(best, beams[0].TokenIds);
        Assert.Equal(bestScore, beams[0].Score, 1e-6);
        Assert.True(beams.Zip(beams.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
    }

    [Fact]
    public void Wider_beams_never_score_worse()
    {
        var model = new FakeModel(10, seed: 5, historyWeight: 1f);
        var options = new SamplingOptions { MaxLength = 8, StopTokenIds = [9] };
        double w1 = BeamSearch.Search(model, [0], 1, 1, options, cancellationToken: Ct)[0].Score;
        double w8 = BeamSearch.Search(model, [0], 8, 1, options, cancellationToken: Ct)[0].Score;
        double w64 = BeamSearch.Search(model, [0], 64, 1, options, cancellationToken: Ct)[0].Score;
        Assert.True(w8 >= w1 - 1e-12 && w64 >= w8 - 1e-12, $"{w1} {w8} {w64}");
    }

    private static IEnumerable<int[]> Sequences(int maxLength)
    {
        IEnumerable<int[]> level = [[]];
        for (int length = 1; length <= maxLength; length++)
        {
            level = level.SelectMany(s => Enumerable.Range(0, V - 1).Select(t => (int[])[.. s, t])).ToList();
            foreach (int[] s in level)
            {
                yield return s;
            }
        }
    }
}
