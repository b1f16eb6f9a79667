using Recurrent.Models;
using Recurrent.Sampling;

namespace Recurrent.Tests.Sampling;

public class SequenceScorerTests
{
    [Fact]
    public void Score_sums_the_log_softmax_of_each_next_token()
    {
        var model = new FakeModel(7, seed: 1); // exact bigram table
        int[] ids = [0, 3, 3, 6, 1, 2];
        double expected = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            expected -= Math.Log(SamplingTestMath.Softmax(model.Row(ids[t]))[ids[t + 1]]);
        }

        LossSum score = SequenceScorer.Score(model, ids);
        Assert.Equal(expected, score.Sum, 1e-5);
        Assert.Equal(5, score.Count);
        Assert.Equal(Math.Exp(expected / 5), score.Perplexity, 1e-5);
        Assert.Equal(0, SequenceScorer.Score(model, [4]).Count);
    }

    [Fact]
    public void Score_equals_the_model_forward_loss()
    {
        var model = new FakeModel(9, seed: 2, historyWeight: 0.6f);
        int[] ids = [0, 5, 1, 8, 8, 2, 7, 3];
        LossSum forward = model.Forward(ids.AsSpan(0, ids.Length - 1), ids.AsSpan(1), default, model.CreateState(1), ForwardMode.Evaluate);
        LossSum score = SequenceScorer.Score(model, ids);
        Assert.Equal(forward.Sum, score.Sum, 1e-6);
        Assert.Equal(forward.Count, score.Count);
    }

    [Fact]
    public void Predict_is_the_argmax_after_each_prefix()
    {
        var model = new FakeModel(6, seed: 4);
        int[] ids = [1, 4, 0, 5];
        int[] predicted = SequenceScorer.Predict(model, ids);
        Assert.Equal(ids.Select(id => SamplingTestMath.ArgMax(model.Row(id))), predicted);
    }
}
