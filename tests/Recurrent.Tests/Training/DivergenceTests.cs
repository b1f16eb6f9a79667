using Recurrent.Training;
using Recurrent.Training.Optimizers;

namespace Recurrent.Tests.Training;

public class DivergenceTests
{
    private const int V = 5;

    private static MemoryDataset Data() =>
        MemoryDataset.Stream(Enumerable.Range(0, 301).Select(i => (i * 3 % 7) % V).ToArray(), batchSize: 2, steps: 5); // 30 batches

    private static TrainerOptions Options(DivergencePolicy policy) => new()
    {
        Epochs = 2,
        LearningRate = 0.1,
        Optimizer = new Sgd { Momentum = 0.9f },
        EvaluationInterval = 10,
        ProgressInterval = 0,
        DivergencePolicy = policy,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_non_finite_value_rolls_back_halves_the_rate_and_training_completes(bool poisonGradient)
    {
        var model = new TinyModel(V);
        if (poisonGradient)
        {
            model.PoisonGradient = call => call == 15;
        }
        else
        {
            model.PoisonLoss = call => call == 15;
        }

        var trainer = new Trainer(model, Options(DivergencePolicy.RollBackAndHalve));
        var rates = new List<double>();
        trainer.Evaluated += (_, p) => rates.Add(p.LearningRate);
        TrainingResult result = trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Divergences);
        Assert.Equal(60, result.Steps);               // the budget is still met exactly
        Assert.Equal(60 + 5, model.TrainingForwardCalls); // steps 11–15 were replayed from the snapshot at step 10
        Assert.Equal(0.5, trainer.Counters.LearningRateScale);
        Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.Equal(0.1, rates[0], 6);                // evaluation at step 10: before the divergence
        Assert.Equal(0.05, rates[1], 6);               // after: halved
    }

    [Fact]
    public void The_throw_policy_stops_before_the_bad_update()
    {
        var model = new TinyModel(V) { PoisonGradient = call => call == 4 };
        var trainer = new Trainer(model, Options(DivergencePolicy.Throw));
        float[] snapshot = [];
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Data(), progress: new SyncProgress(_ => { }), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(4, ex.Step);
        Assert.Equal(3, trainer.Step);
        Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.Empty(snapshot);
    }

    [Fact]
    public void Persistent_divergence_gives_up_after_the_retry_limit()
    {
        var model = new TinyModel(V) { PoisonLoss = call => call >= 12 };
        var trainer = new Trainer(model, Options(DivergencePolicy.RollBackAndHalve) with { MaxDivergenceRetries = 3 });
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("3 roll-backs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0.125, trainer.Counters.LearningRateScale);
    }
}
