using Recurrent.Models;
using Recurrent.Serialization;
using Recurrent.Tests.Training;
using Recurrent.Text;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Serialization;

/// <summary>
/// Checkpoint files: a model file plus the trainer's run state. Resuming from one equals the uninterrupted run bit for
/// bit; a truncated file is never taken as good; <see cref="ModelFile.Load"/> opens a checkpoint as a model.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private const int V = 7;
    private readonly string _directory = ModelFileTestModels.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A real (library) model: an LSTM stream run carries hidden and cell state, dropout draws from the trainer's stream.
    private static IRecurrentModel Model(int seed = 1, int hidden = 5) => RecurrentModel.Create(new RecurrentModelOptions
    {
        VocabularySize = V,
        EmbeddingSize = 4,
        HiddenSize = hidden,
        Cell = CellKind.Lstm,
        Dropout = 0.2f,
        Seed = seed,
    });

    private static TrainerOptions Options() => new()
    {
        Epochs = 2,
        LearningRate = 0.02,
        Optimizer = new Adam(),
        Schedule = new CosineSchedule { WarmupSteps = 5 },
        EvaluationInterval = 9,
        ProgressInterval = 1,
        Seed = 11,
    };

    private static MemoryDataset Data() =>
        MemoryDataset.Stream(new MarkovSource(V, 1, seed: 4).Generate(601, 9), batchSize: 3, steps: 8);

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

    private static Vocabulary Vocabulary() => ModelFileTextTests.Vocabulary(V);

    [Fact]
    public void Cancellation_mid_epoch_leaves_a_checkpoint_file_that_resumes_exactly()
    {
        var expected = new List<double>();
        IRecurrentModel reference = Model();
        new Trainer(reference, Options()).Fit(Data(), Data(), Recorder(expected), TestContext.Current.CancellationToken);
        float[] expectedParameters = reference.Parameters.ToArray();

        string path = Path.Combine(_directory, "run.ckpt");
        IRecurrentModel model = Model();
        var losses = new List<double>();
        using var cancel = new CancellationTokenSource();
        var first = new Trainer(model, Options() with { CheckpointWriter = s => Checkpoint.Save(path, s, model, Vocabulary()) });
        long stopAt = Data().BatchesPerEpoch + 5;
        Assert.Throws<OperationCanceledException>(() => first.Fit(Data(), Data(), Recorder(losses, cancel, stopAt), cancel.Token));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));

        // A fresh process: another initialisation and seed; everything comes from the file.
        Checkpoint checkpoint = Checkpoint.Load(path);
        Assert.Equal(stopAt, checkpoint.State.Step);
        Assert.Equal(1, checkpoint.State.Epoch);
        Assert.Equal(5, checkpoint.State.BatchIndex);
        Assert.Equal(Vocabulary().ToJson(), checkpoint.Vocabulary!.ToJson());
        IRecurrentModel resumed = Model(seed: 99);
        var second = new Trainer(resumed, Options() with { Seed = 12345 });
        second.RestoreState(checkpoint.State);
        second.Fit(Data(), Data(), Recorder(losses), TestContext.Current.CancellationToken);

        Assert.Equal(expected, losses);
        Assert.Equal(expectedParameters, resumed.Parameters.ToArray());
    }

    [Fact]
    public void A_checkpoint_is_a_model_file_and_a_model_file_is_not_a_checkpoint()
    {
        IRecurrentModel model = Model();
        var trainer = new Trainer(model, Options() with { Epochs = 1, ProgressInterval = 0 });
        trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);
        TrainingState state = trainer.CaptureState();
        var tokenizer = new CharTokenizer();
        string path = Path.Combine(_directory, "model.ckpt");
        Checkpoint.Save(path, state, model, Vocabulary(), tokenizer, new Dictionary<string, string> { ["run"] = "a b c" });

        ModelFile file = ModelFile.Load(path);
        Assert.Equal(model.Options, file.Model.Options);
        Assert.Equal(model.Parameters.ToArray(), file.Model.Parameters.ToArray());
        Assert.Empty(file.IgnoredTensors);
        Assert.Equal(Vocabulary().ToJson(), file.Vocabulary!.ToJson());
        Assert.IsType<CharTokenizer>(file.Tokenizer);
        Assert.Equal("a b c", file.Metadata["run"]);

        Checkpoint checkpoint = Checkpoint.Load(path);
        Assert.Equal(model.Parameters.ToArray(), checkpoint.Model.Parameters.ToArray());
        Assert.Equal("a b c", checkpoint.Metadata["run"]);
        Assert.Equal(state.Optimizer.StepCount, checkpoint.State.Optimizer.StepCount);
        Assert.Equal(state.Optimizer.Buffers["exp_avg_sq"], checkpoint.State.Optimizer.Buffers["exp_avg_sq"]);

        // The model's bytes come first in the same container: saving the model alone gives a file Checkpoint rejects.
        string modelPath = Path.Combine(_directory, "model.safetensors");
        ModelFile.Save(modelPath, model, Vocabulary(), tokenizer);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(modelPath));
        Assert.Contains(Checkpoint.VersionKey, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_truncated_at_any_offset_is_rejected_and_the_previous_one_survives()
    {
        string path = Path.Combine(_directory, "good.ckpt");
        IRecurrentModel model = Model(hidden: 3);
        var trainer = new Trainer(model, Options() with { Epochs = 1, ProgressInterval = 0, CheckpointWriter = s => Checkpoint.Save(path, s, model) });
        trainer.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);
        byte[] good = File.ReadAllBytes(path);

        var later = new Trainer(model, Options() with { Epochs = 2, ProgressInterval = 0 });
        later.RestoreState(Checkpoint.Load(path).State);
        later.Fit(Data(), cancellationToken: TestContext.Current.CancellationToken);
        byte[] next = Checkpoint.ToBytes(later.CaptureState(), model);
        Assert.NotEqual(good, next);
        Assert.Equal(2 * Data().BatchesPerEpoch, Checkpoint.FromBytes(next).State.Step);

        for (int length = 0; length < next.Length; length++)
        {
            byte[] truncated = next.AsSpan(0, length).ToArray();
            Assert.Throws<InvalidDataException>(() => Checkpoint.FromBytes(truncated));
        }

        // A crash mid-write leaves a partial temporary file beside the checkpoint, never a partial checkpoint.
        File.WriteAllBytes(Path.Combine(_directory, ".good.ckpt.crashed.tmp"), next.AsSpan(0, next.Length / 2).ToArray());
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(Data().BatchesPerEpoch, Checkpoint.Load(path).State.Step);

        // A completed write replaces it whole.
        Checkpoint.Save(path, later.CaptureState(), model);
        Assert.Equal(2 * Data().BatchesPerEpoch, Checkpoint.Load(path).State.Step);
        Assert.Single(Directory.GetFiles(_directory, "*.tmp")); // only the simulated crash's leftover
    }

    [Fact]
    public void Mismatches_and_damage_are_reported_with_the_right_exception()
    {
        IRecurrentModel model = Model();
        TrainingState state = new Trainer(model, Options()).CaptureState();
        string path = Path.Combine(_directory, "shape.ckpt");

        // Saving: reserved keys, a state of another model, a vocabulary of another size.
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, state, model, metadata: new Dictionary<string, string> { ["recurrent.checkpoint.step"] = "1" }));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, state, Model(hidden: 6)));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, state, model, ModelFileTextTests.Vocabulary(V + 1)));
        Assert.False(File.Exists(path));

        // Restoring into another shape or optimizer is a misuse of the state, not a bad file.
        Checkpoint.Save(path, state, model);
        Checkpoint loaded = Checkpoint.Load(path);
        Assert.Throws<ArgumentException>(() => new Trainer(Model(hidden: 6), Options()).RestoreState(loaded.State));
        Assert.Throws<ArgumentException>(() => new Trainer(model, Options() with { Optimizer = new Sgd() }).RestoreState(loaded.State));
        new Trainer(Model(seed: 3), Options()).RestoreState(loaded.State);

        byte[] bytes = File.ReadAllBytes(path);
        bytes.AsSpan(8, 20).Fill((byte)'x'); // a damaged header
        Assert.Throws<InvalidDataException>(() => Checkpoint.FromBytes(bytes));
    }
}
