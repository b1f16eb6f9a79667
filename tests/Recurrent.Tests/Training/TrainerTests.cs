using Recurrent.Models;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Training;

public class TrainerTests
{
    private const int V = 6;

    [Fact]
    public void Training_lowers_the_validation_loss_and_reports_evaluations()
    {
        var source = new MarkovSource(V, order: 1, seed: 3);
        var train = MemoryDataset.Stream(source.Generate(4001, 1), batchSize: 4, steps: 10);
        var valid = MemoryDataset.Stream(source.Generate(801, 2), batchSize: 4, steps: 10);
        var model = new TinyModel(V);
        var trainer = new Trainer(model, new TrainerOptions { Epochs = 3, LearningRate = 0.05, ProgressInterval = 0 });
        double before = trainer.Evaluate(valid, cancellationToken: TestContext.Current.CancellationToken).Mean;
        var reports = new List<TrainingProgress>();
        trainer.Evaluated += (_, p) => reports.Add(p);
        TrainingResult result = trainer.Fit(train, valid, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TrainingStopReason.BudgetReached, result.StopReason);
        Assert.Equal(3 * train.BatchesPerEpoch, result.Steps);
        Assert.Equal(3 * train.TokensPerEpoch, result.Tokens);
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal(TrainingEventKind.EpochEnd, r.Kind));
        Assert.Equal([0, 1, 2], reports.Select(r => r.Epoch));
        Assert.True(reports[^1].ValidationLoss < before - 0.3, $"validation loss {reports[^1].ValidationLoss} vs initial {before}");
        Assert.Equal(reports.Min(r => r.ValidationLoss), result.BestValidationLoss);
        Assert.True(reports[^1].ValidationLoss >= source.EntropyRate() - 0.05, "cannot beat the entropy rate by much");
    }

    [Fact]
    public void Loss_normalisation_scales_the_gradient_the_optimizer_sees()
    {
        var data = MemoryDataset.Stream(Enumerable.Range(0, 81).Select(i => (i * 7) % V).ToArray(), batchSize: 4, steps: 5);
        float[] Delta(LossNormalization normalization)
        {
            var model = new TinyModel(V);
            float[] before = model.Parameters.ToArray();
            var trainer = new Trainer(model, new TrainerOptions { MaxSteps = 1, Epochs = 0, Optimizer = new Sgd(), LearningRate = 1e-3, MaxGradientNorm = 0, LossNormalization = normalization, ProgressInterval = 0 });
            trainer.Fit(data, cancellationToken: TestContext.Current.CancellationToken);
            return model.Parameters.ToArray().Zip(before, (a, b) => a - b).ToArray();
        }

        float[] sum = Delta(LossNormalization.Sum);
        float[] mean = Delta(LossNormalization.MeanPerToken);
        float[] perSequence = Delta(LossNormalization.SumPerSequence);
        int maxIndex = Array.IndexOf(sum, sum.MaxBy(Math.Abs));
        Assert.Equal(20.0, sum[maxIndex] / mean[maxIndex], 2);        // 20 real tokens (T·B) in the batch
        Assert.Equal(4.0, sum[maxIndex] / perSequence[maxIndex], 2);  // B = 4 lanes
    }

    [Fact]
    public void Gradient_is_clipped_by_global_norm_and_by_value()
    {
        var data = MemoryDataset.Stream(Enumerable.Range(0, 81).Select(i => (i * 5) % V).ToArray(), batchSize: 4, steps: 5);
        float[] Delta(float maxNorm, float clipValue)
        {
            var model = new TinyModel(V);
            float[] before = model.Parameters.ToArray();
            var trainer = new Trainer(model, new TrainerOptions { MaxSteps = 1, Epochs = 0, Optimizer = new Sgd(), LearningRate = 1.0, MaxGradientNorm = maxNorm, GradientClipValue = clipValue, ProgressInterval = 0 });
            trainer.Fit(data, cancellationToken: TestContext.Current.CancellationToken);
            return model.Parameters.ToArray().Zip(before, (a, b) => a - b).ToArray();
        }

        static double Norm(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v));
        double free = Norm(Delta(0, 0));
        Assert.True(free > 0.1, $"unclipped norm {free}");
        Assert.Equal(0.1, Norm(Delta(0.1f, 0)), 4);
        Assert.Equal(free, Norm(Delta(100f, 0)), 5);
        float[] byValue = Delta(0, 0.01f);
        Assert.Equal(0.01f, byValue.Max(Math.Abs), 5);
    }

    [Fact]
    public void Stream_mode_carries_state_and_sentence_mode_resets_it()
    {
        var stream = MemoryDataset.Stream(Enumerable.Range(0, 121).Select(i => (i * 5) % V).ToArray(), batchSize: 2, steps: 6);
        var model = new TinyModel(V) { StartStates = [] };
        new Trainer(model, new TrainerOptions { Epochs = 2, ProgressInterval = 0 }).Fit(stream, cancellationToken: TestContext.Current.CancellationToken);
        int per = stream.BatchesPerEpoch;
        Assert.Equal(2 * per, model.StartStates.Count);
        Assert.Equal(0f, model.StartStates[0]);
        Assert.Equal(0f, model.StartStates[per]);                 // first window of an epoch starts from zero
        Assert.All(model.StartStates.Where((_, i) => i % per != 0), s => Assert.NotEqual(0f, s));

        int[][] sentences = Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 3 + (i % 4)).Select(j => (i + j) % V).ToArray()).ToArray();
        var sentenceModel = new TinyModel(V) { StartStates = [] };
        new Trainer(sentenceModel, new TrainerOptions { Epochs = 2, ProgressInterval = 0 }).Fit(MemoryDataset.Sentences(sentences, 3, seed: 1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(8, sentenceModel.StartStates.Count);
        Assert.All(sentenceModel.StartStates, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Evaluation_is_token_weighted_and_excludes_padding()
    {
        int[][] sentences = [[1, 2, 3], [4, 5, 1, 2, 3, 0], [2, 2], [3, 1, 4, 1, 5]];
        var model = new TinyModel(V);
        var trainer = new Trainer(model, new TrainerOptions());
        LossSum all = trainer.Evaluate(MemoryDataset.Sentences(sentences, 2, seed: 5), cancellationToken: TestContext.Current.CancellationToken);
        double sum = 0;
        foreach (int[] s in sentences)
        {
            sum += model.Forward(s.AsSpan(0, s.Length - 1), s.AsSpan(1), default, model.CreateState(1), ForwardMode.Evaluate).Sum;
        }

        Assert.Equal(sentences.Sum(s => s.Length - 1), all.Count);
        Assert.Equal(sum, all.Sum, 9);
    }

    [Fact]
    public void Schedule_halves_the_rate_exactly_after_an_epoch_whose_validation_loss_rose()
    {
        var data = MemoryDataset.Stream(Enumerable.Range(0, 61).Select(i => (i * 5) % V).ToArray(), batchSize: 2, steps: 5);
        double[] scripted = [3.0, 2.0, 2.5, 2.4, 2.6, 2.0];
        int epoch = 0;
        var model = new TinyModel(V) { ScriptedEvaluationLoss = _ => scripted[Math.Min(epoch, scripted.Length - 1)] };
        var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 6,
            LearningRate = 0.1,
            Optimizer = new Sgd(),
            Schedule = new HalveOnLossIncreaseSchedule { EveryEpochs = 1 },
            ProgressInterval = 1,
        });
        trainer.Evaluated += (_, _) => epoch++;
        var rates = new SortedDictionary<int, HashSet<double>>();
        trainer.Fit(data, data, new SyncProgress(p =>
        {
            if (p.Kind == TrainingEventKind.Step)
            {
                (rates.TryGetValue(p.Epoch, out var set) ? set : rates[p.Epoch] = []).Add(p.LearningRate);
            }
        }), TestContext.Current.CancellationToken);

        // Epoch ends see 3.0, 2.0, 2.5 (rose → halve), 2.4, 2.6 (rose → halve), 2.0.
        double[] expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.025];
        Assert.Equal(expected.Length, rates.Count);
        for (int e = 0; e < expected.Length; e++)
        {
            Assert.Equal([(double)(float)expected[e]], rates[e].Select(r => (double)(float)r));
        }
    }

    [Fact]
    public void Early_stopping_stops_after_patience_evaluations_without_improvement()
    {
        var data = MemoryDataset.Stream(Enumerable.Range(0, 61).Select(i => (i * 5) % V).ToArray(), batchSize: 2, steps: 5);
        double[] scripted = [3.0, 2.0, 2.1, 2.0, 2.05, 1.0];
        int evaluations = 0;
        var model = new TinyModel(V) { ScriptedEvaluationLoss = _ => scripted[evaluations] };
        var trainer = new Trainer(model, new TrainerOptions { Epochs = 10, EarlyStoppingPatience = 3, ProgressInterval = 0 });
        trainer.Evaluated += (_, _) => evaluations++;
        TrainingResult result = trainer.Fit(data, data, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TrainingStopReason.EarlyStopping, result.StopReason);
        Assert.Equal(5, evaluations);
        Assert.Equal(5, result.Epochs);
        Assert.Equal(2.0, result.BestValidationLoss);
    }

    [Fact]
    public void Early_stopping_without_validation_data_is_rejected()
    {
        var data = MemoryDataset.Stream(new int[61], batchSize: 2, steps: 5);
        var trainer = new Trainer(new TinyModel(V), new TrainerOptions { EarlyStoppingPatience = 2 });
        Assert.Throws<ArgumentException>(() => trainer.Fit(data, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentException>(() => new Trainer(new TinyModel(V), new TrainerOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TinyModel(V), new TrainerOptions { MaxGradientNorm = -1 }));
    }

    [Fact]
    public void Steady_state_training_step_allocates_nothing()
    {
        int[] corpus = Enumerable.Range(0, 2001).Select(i => (i * 7 % 11) % V).ToArray();
        long Allocated(int epochs)
        {
            var model = new TinyModel(V, dropout: 0.2f);
            var trainer = new Trainer(model, new TrainerOptions { Epochs = epochs, ProgressInterval = 0 });
            var data = MemoryDataset.Stream(corpus, batchSize: 4, steps: 10);
            trainer.Fit(data, cancellationToken: TestContext.Current.CancellationToken); // warm-up: buffers, JIT
            var fresh = new Trainer(model, new TrainerOptions { Epochs = epochs, ProgressInterval = 0 });
            long before = GC.GetAllocatedBytesForCurrentThread();
            fresh.Fit(data, cancellationToken: TestContext.Current.CancellationToken);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long one = Allocated(1);
        long three = Allocated(3);
        // 2 more epochs = 100 more steps; per-epoch bookkeeping (enumerator, report, snapshot copy) is allowed.
        Assert.True(three - one < 2 * 4096, $"1 epoch: {one} B, 3 epochs: {three} B");
    }
}

/// <summary>A synchronous <see cref="IProgress{T}"/> (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => handler(value);
}
