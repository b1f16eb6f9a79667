using Recurrent.Models;
using Recurrent.Training;
using Recurrent.Training.Optimizers;
using Recurrent.Training.Schedules;

namespace Recurrent.Tests.Training;

// Convergence on sources with a known answer: the validation cross-entropy of a trained model must come
// within 5% of the source's true entropy rate (it cannot go below it, up to sampling noise).
public class ConvergenceTests
{
    [Fact]
    public void Lstm_learns_an_order_2_chain_over_50_symbols_to_within_5_percent_of_its_entropy_rate()
    {
        MarkovSource source = MarkovSource.StructuredOrder2(50);
        double entropy = source.EntropyRate();
        var train = MemoryDataset.Stream(source.Generate(100_001, seed: 1), batchSize: 16, steps: 20);
        var valid = MemoryDataset.Stream(source.Generate(20_001, seed: 2), batchSize: 16, steps: 25);
        IRecurrentModel model = new Lstm(new RecurrentModelOptions { VocabularySize = 50, EmbeddingSize = 50, HiddenSize = 128, Cell = CellKind.Lstm, Seed = 1 });
        var trainer = new Trainer(model, new TrainerOptions { Epochs = 4, LearningRate = 1e-2, Optimizer = new Adam(), Schedule = new CosineSchedule(), ProgressInterval = 0 });
        var history = new List<double>();
        trainer.Evaluated += (_, p) => history.Add(p.ValidationLoss);
        TrainingResult result = trainer.Fit(train, valid, cancellationToken: TestContext.Current.CancellationToken);
        double crossEntropy = result.LastEvaluation!.ValidationLoss;
        Assert.True(crossEntropy < entropy * 1.05, $"LSTM validation cross-entropy {crossEntropy:F4} nats vs entropy rate {entropy:F4}; history {string.Join(", ", history.Select(h => h.ToString("F4")))}");
        Assert.True(crossEntropy > entropy * 0.97, $"cross-entropy {crossEntropy:F4} below the entropy rate {entropy:F4}: the source or the metric is wrong");
    }

    [Fact]
    public void Vanilla_rnn_learns_an_order_1_chain_to_within_5_percent_of_its_entropy_rate()
    {
        var source = new MarkovSource(30, order: 1, seed: 7);
        double entropy = source.EntropyRate();
        var train = MemoryDataset.Stream(source.Generate(100_001, seed: 3), batchSize: 32, steps: 20);
        var valid = MemoryDataset.Stream(source.Generate(20_001, seed: 4), batchSize: 16, steps: 20);
        IRecurrentModel model = new VanillaRnn(new RecurrentModelOptions { VocabularySize = 30, EmbeddingSize = 16, HiddenSize = 32, Cell = CellKind.Rnn, Seed = 2 });
        var trainer = new Trainer(model, new TrainerOptions { Epochs = 3, LearningRate = 1e-2, Optimizer = new Adam(), ProgressInterval = 0 });
        TrainingResult result = trainer.Fit(train, valid, cancellationToken: TestContext.Current.CancellationToken);
        double crossEntropy = result.LastEvaluation!.ValidationLoss;
        Assert.True(crossEntropy < entropy * 1.05, $"RNN validation cross-entropy {crossEntropy:F4} nats vs entropy rate {entropy:F4}");
        Assert.True(crossEntropy > entropy * 0.97, $"cross-entropy {crossEntropy:F4} below the entropy rate {entropy:F4}");
    }

    [Fact]
    public void Training_a_real_model_does_not_depend_on_the_thread_count()
    {
        var source = new MarkovSource(40, order: 1, seed: 5);
        var data = MemoryDataset.Stream(source.Generate(20_001, seed: 6), batchSize: 16, steps: 20);
        List<double> Run(int threads)
        {
            int saved = ComputeSettings.MaxDegreeOfParallelism;
            try
            {
                ComputeSettings.MaxDegreeOfParallelism = threads;
                var losses = new List<double>();
                IRecurrentModel model = new Lstm(new RecurrentModelOptions { VocabularySize = 40, EmbeddingSize = 48, HiddenSize = 96, Dropout = 0.2f, Seed = 3 });
                var trainer = new Trainer(model, new TrainerOptions { MaxSteps = 30, Epochs = 0, LearningRate = 3e-3, ProgressInterval = 1, Seed = 4 });
                trainer.Fit(data, progress: new SyncProgress(p => losses.Add(p.TrainingLoss)), cancellationToken: TestContext.Current.CancellationToken);
                losses.Add(BitConverter.SingleToInt32Bits(model.Parameters[^1]));
                return losses;
            }
            finally
            {
                ComputeSettings.MaxDegreeOfParallelism = saved;
            }
        }

        Assert.Equal(Run(1), Run(Math.Max(2, Environment.ProcessorCount)));
    }
}
