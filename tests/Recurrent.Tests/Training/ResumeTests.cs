using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Training;

public sealed class ResumeTests : IDisposable
{
    private const int V = 7;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "recurrent-training-tests-" + Guid.NewGuid().ToString("N"));

    public ResumeTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TrainerOptions Options(string? checkpoint = null) => new()
    {
        Epochs = 3,
        LearningRate = 0.05,
        Optimizer = new Adam(),
        Schedule = new CosineSchedule { WarmupSteps = 5 },
        EvaluationInterval = 7,
        ProgressInterval = 1,
        Seed = 11,
        CheckpointPath = checkpoint,
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
    public void Cancellation_mid_epoch_leaves_a_loadable_checkpoint_that_resumes_exactly()
    {
        (List<double> expected, float[] expectedParameters) = Uninterrupted();
        string path = Path.Combine(_directory, "run.ckpt");
        var losses = new List<double>();
        using var cancel = new CancellationTokenSource();
        var first = new Trainer(new TinyModel(V, dropout: 0.3f), Options(path));
        Assert.Throws<OperationCanceledException>(() => first.Fit(Data(), Data(), Recorder(losses, cancel, 17), cancel.Token));
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        var model = new TinyModel(V, seed: 5, dropout: 0.3f);
        var second = new Trainer(model, Options(path));
        second.LoadCheckpoint(path);
        Assert.Equal(17, second.Step);
        second.Fit(Data(), Data(), Recorder(losses), TestContext.Current.CancellationToken);

        Assert.Equal(expected, losses);
        Assert.Equal(expectedParameters, model.Parameters.ToArray());
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

    [Fact]
    public void A_checkpoint_truncated_at_any_offset_is_rejected_and_the_previous_one_survives()
    {
        string path = Path.Combine(_directory, "good.ckpt");
        var model = new TinyModel(V);
        var trainer = new Trainer(model, Options() with { Epochs = 1, ProgressInterval = 0 }, null);
        trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);
        trainer.SaveCheckpoint(path);
        byte[] good = File.ReadAllBytes(path);

        trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken); // budget reached: nothing to do
        var later = new Trainer(model, Options() with { Epochs = 2, ProgressInterval = 0 });
        later.LoadCheckpoint(path);
        later.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);
        byte[] next = CheckpointFile.ToBytes(later.CaptureState(), model, null);
        Assert.NotEqual(good, next);

        for (int length = 0; length < next.Length; length++)
        {
            byte[] truncated = next.AsSpan(0, length).ToArray();
            Assert.Throws<InvalidDataException>(() => CheckpointFile.Decode(truncated, model, new Adam()));
        }

        // A crash mid-write leaves a partial temporary file beside the checkpoint, never a partial checkpoint.
        File.WriteAllBytes(Path.Combine(_directory, ".good.ckpt.crashed.tmp"), next.AsSpan(0, next.Length / 2).ToArray());
        Assert.Equal(good, File.ReadAllBytes(path));
        var reader = new Trainer(new TinyModel(V, seed: 3), Options());
        reader.LoadCheckpoint(path);
        Assert.Equal(Data().BatchesPerEpoch, reader.Step);

        // A completed write replaces it whole.
        later.SaveCheckpoint(path);
        reader.LoadCheckpoint(path);
        Assert.Equal(2 * Data().BatchesPerEpoch, reader.Step);
        Assert.Single(Directory.GetFiles(_directory, "*.tmp")); // only the simulated crash's leftover
    }

    [Fact]
    public void Checkpoint_for_another_model_shape_or_optimizer_is_invalid_data()
    {
        string path = Path.Combine(_directory, "shape.ckpt");
        var trainer = new Trainer(new TinyModel(V), Options() with { CheckpointMetadata = new Dictionary<string, string> { ["vocabulary"] = "a b c" } });
        trainer.SaveCheckpoint(path);
        Assert.Equal("a b c", CheckpointFile.ReadUserMetadata(path)["vocabulary"]);
        Assert.Throws<InvalidDataException>(() => new Trainer(new TinyModel(V + 1), Options()).LoadCheckpoint(path));
        Assert.Throws<InvalidDataException>(() => new Trainer(new TinyModel(V), Options() with { Optimizer = new Sgd() }).LoadCheckpoint(path));
        byte[] bytes = File.ReadAllBytes(path);
        new Trainer(new TinyModel(V), Options()).RestoreState(CheckpointFile.Decode(bytes, new TinyModel(V), new Adam()));
        bytes[^1] ^= 0xFF; // flip bits in the last data byte: still structurally valid, so this is not a checksum test
        bytes.AsSpan(8, 20).Fill((byte)'x'); // but a damaged header is rejected
        Assert.Throws<InvalidDataException>(() => CheckpointFile.Decode(bytes, new TinyModel(V), new Adam()));
    }
}
