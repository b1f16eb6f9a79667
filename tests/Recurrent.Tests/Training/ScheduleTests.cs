using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void Original_rule_halves_exactly_when_the_looked_at_loss_rose()
    {
        var schedule = new HalveOnLossIncreaseSchedule { EveryEpochs = 2 };
        var state = new ScheduleState();
        double[] losses = [5.0, 4.0, 4.5, 4.2, 3.0, 4.4, 9.0, 4.3, 1.0, 4.31];
        // Looks at epochs 1, 3, 5, 7, 9: 4.0 (first), 4.2 (rose), 4.4 (rose), 4.3 (fell), 4.31 (rose).
        double[] expectedFactor = [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125];
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            bool reduced = schedule.OnEpochEnd(epoch, losses[epoch], state);
            Assert.Equal(expectedFactor[epoch], state.Factor);
            Assert.Equal(epoch is 3 or 5 or 9, reduced);
            Assert.Equal(2.0 * expectedFactor[epoch], schedule.GetLearningRate(2.0, new ScheduleContext(0, epoch + 1, 100), state));
        }
    }

    [Fact]
    public void Step_decay_keeps_the_rate_then_decays_every_epoch()
    {
        var schedule = new StepDecaySchedule { ConstantEpochs = 4, Factor = 0.5 };
        double[] expected = [1, 1, 1, 1, 0.5, 0.25, 0.125];
        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            Assert.Equal(expected[epoch], schedule.GetLearningRate(1.0, new ScheduleContext(epoch * 10, epoch, 1000), new ScheduleState()));
        }
    }

    [Fact]
    public void Plateau_reduces_after_patience_epochs_without_relative_improvement()
    {
        var schedule = new ReduceOnPlateauSchedule { Patience = 2, Factor = 0.1, Threshold = 0.01 };
        var state = new ScheduleState();
        // 1.0 best; 0.995 is not 1% better (bad 1); 0.999 bad 2; 0.998 bad 3 > patience → reduce;
        // 0.5 improves; 0.6, 0.7 bad 1, 2; 0.8 → reduce again.
        double[] losses = [1.0, 0.995, 0.999, 0.998, 0.5, 0.6, 0.7, 0.8];
        bool[] reduces = [false, false, false, true, false, false, false, true];
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            Assert.Equal(reduces[epoch], schedule.OnEpochEnd(epoch, losses[epoch], state));
        }

        Assert.Equal(0.01, state.Factor, 12);
        Assert.Equal(2, state.Reductions);
        var floored = new ReduceOnPlateauSchedule { MinLearningRate = 0.05 };
        Assert.Equal(0.05, floored.GetLearningRate(1.0, default, state));
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_follows_the_half_cosine()
    {
        var schedule = new CosineSchedule { WarmupSteps = 4, MinLearningRate = 0.1 };
        var state = new ScheduleState();
        double Lr(long step) => schedule.GetLearningRate(1.0, new ScheduleContext(step, 0, 104), state);
        Assert.Equal(0.25, Lr(0));
        Assert.Equal(0.5, Lr(1));
        Assert.Equal(1.0, Lr(3));
        Assert.Equal(1.0, Lr(4));
        Assert.Equal(0.55, Lr(54), 12);   // halfway: min + (1 − min)/2
        Assert.Equal(0.1, Lr(104), 12);
        Assert.Equal(0.1, Lr(500), 12);   // clamped past the end
        var fixedLength = new CosineSchedule { TotalSteps = 10 };
        Assert.Equal(0.5, fixedLength.GetLearningRate(1.0, new ScheduleContext(5, 0, 1_000_000), state), 12);
    }

    [Fact]
    public void Invalid_settings_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HalveOnLossIncreaseSchedule { EveryEpochs = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule { Factor = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateauSchedule { Patience = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule { WarmupSteps = -1 });
    }
}
