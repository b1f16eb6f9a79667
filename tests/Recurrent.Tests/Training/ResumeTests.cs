using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Training;

/// <summary>
/// Resuming in memory (<see cref="Trainer.CaptureState"/> / <see cref="Trainer.RestoreState"/>) and the checkpoint
/// writer hook. Checkpoint files are tested with the real models in <c>Serialization/CheckpointTests</c>.
/// </summary>
public sealed class ResumeTests
{
    private const int V = 7;

    private static TrainerOptions Options() => new()
    {
        Epochs = 3,
        LearningRate = 0.05,
        Optimizer = new Adam(),
        Schedule = new CosineSchedule { WarmupSteps = 5 },
        EvaluationInterval = 7,
        ProgressInterval = 1,
        Seed = 11,
    };

    private static MemoryDataset Data() =>
        MemoryDataset.Stream(new MarkovSource(V, 1, seed: 4).Generate(1201, 9), batchSize: 3, steps: 8);

    // Records the per-step training loss (ProgressInterval = 1) and can cancel after a given step.
    private static SyncProgress Recorder(List<double> losses, CancellationTokenSource? cancel = null, long cancelAfter = -1) => new(p =>
    {
        if (p.Kind == TrainingEventKind.Step)
        {
            losses.Add(p.TrainingLoss);
            if (p.Step == cancelAfter)
            {
                cancel!.Cancel();
            }
        }
    });

    private static (List<double> Losses, float[] Parameters) Uninterrupted()
    {
        var losses = new List<double>();
        var model = new TinyModel(V, dropout: 0.3f);
        new Trainer(model, Options()).Fit(Data(), Data(), Recorder(losses), TestContext.Current.CancellationToken);
        return (losses, model.Parameters.ToArray());
    }

    [Fact]
    public void Resume_from_an_in_memory_state_equals_the_uninterrupted_run_bit_for_bit()
    {
        (List<double> expected, float[] expectedParameters) = Uninterrupted();
        var data = Data();
        Assert.Equal(3 * data.BatchesPerEpoch, expected.Count);

        var losses = new List<double>();
        using var cancel = new CancellationTokenSource();
        var first = new Trainer(new TinyModel(V, dropout: 0.3f), Options());
        long stopAt = data.BatchesPerEpoch + 5; // mid-epoch, between evaluations
        Assert.Throws<OperationCanceledException>(() => first.Fit(data, Data(), Recorder(losses, cancel, stopAt), cancel.Token));
        TrainingState state = first.CaptureState();
        Assert.Equal(stopAt, state.Step);
        Assert.Equal(1, state.Epoch);
        Assert.Equal(5, state.BatchIndex);

        // A different initialisation and seed: everything must come from the state.
        var model = new TinyModel(V, seed: 99, dropout: 0.3f);
        var second = new Trainer(model, Options() with { Seed = 12345 });
        second.RestoreState(state);
        second.Fit(Data(), Data(), Recorder(losses), TestContext.Current.CancellationToken);

        Assert.Equal(expected, losses);
        Assert.Equal(expectedParameters, model.Parameters.ToArray());
    }

    [Fact]
    public void Cancellation_mid_epoch_hands_the_writer_a_state_that_resumes_exactly()
    {
        (List<double> expected, float[] expectedParameters) = Uninterrupted();
        var written = new List<TrainingState>();
        var losses = new List<double>();
        using var cancel = new CancellationTokenSource();
        var first = new Trainer(new TinyModel(V, dropout: 0.3f), Options() with { CheckpointWriter = written.Add });
        Assert.Throws<OperationCanceledException>(() => first.Fit(Data(), Data(), Recorder(losses, cancel, 17), cancel.Token));
        Assert.Equal(17, written[^1].Step);

        var model = new TinyModel(V, seed: 5, dropout: 0.3f);
        var second = new Trainer(model, Options());
        second.RestoreState(written[^1]);
        Assert.Equal(17, second.Step);
        second.Fit(Data(), Data(), Recorder(losses), TestContext.Current.CancellationToken);

        Assert.Equal(expected, losses);
        Assert.Equal(expectedParameters, model.Parameters.ToArray());
    }

    [Fact]
    public void The_writer_is_called_at_each_interval_evaluation_epoch_end_and_finish()
    {
        var steps = new List<long>();
        int batches = Data().BatchesPerEpoch;
        var trainer = new Trainer(new TinyModel(V), Options() with { Epochs = 2, EvaluationInterval = 0, CheckpointInterval = 10, CheckpointWriter = s => steps.Add(s.Step) });
        trainer.Fit(Data(), Data(), cancellationToken: TestContext.Current.CancellationToken);

        var expected = new List<long>();
        for (long step = 1; step <= 2 * batches; step++)
        {
            if (step % 10 == 0)
            {
                expected.Add(step); // the interval
            }

            if (step == batches)
            {
                expected.Add(step); // the first epoch's end (the last one is the final checkpoint)
            }
        }

        expected.Add(2 * batches); // when Fit finishes
        Assert.Equal(expected, steps);

        // With CheckpointInterval 0 a checkpoint follows every evaluation instead.
        steps.Clear();
        var evaluating = new Trainer(new TinyModel(V), Options() with { Epochs = 1, EvaluationInterval = 7, CheckpointWriter = s => steps.Add(s.Step) });
        evaluating.Fit(Data(), Data(), cancellationToken: TestContext.Current.CancellationToken);
        List<long> afterEvaluations = [.. Enumerable.Range(1, (batches - 1) / 7).Select(k => (long)(7 * k)), batches];
        Assert.Equal(afterEvaluations, steps);
    }

    [Fact]
    public void Restoring_a_state_of_another_model_shape_or_optimizer_is_rejected()
    {
        TrainingState state = new Trainer(new TinyModel(V), Options()).CaptureState();
        Assert.Throws<ArgumentException>(() => new Trainer(new TinyModel(V + 1), Options()).RestoreState(state));
        Assert.Throws<ArgumentException>(() => new Trainer(new TinyModel(V), Options() with { Optimizer = new Sgd() }).RestoreState(state));
    }

    [Fact]
    public void Cancellation_before_the_first_step_throws_and_trains_nothing()
    {
        var model = new TinyModel(V);
        float[] before = model.Parameters.ToArray();
        var trainer = new Trainer(model, Options());
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(Data(), cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal(0, trainer.Step);
        Assert.Equal(before, model.Parameters.ToArray());
    }
}
