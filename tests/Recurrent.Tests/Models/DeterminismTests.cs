using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>Tests that change the process-wide <see cref="ComputeSettings"/>; kept in one class so they run one at a time.</summary>
public class DeterminismTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Same_seed_same_results_on_one_thread_and_on_all_cores(CellKind cell)
    {
        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            ComputeSettings.MaxDegreeOfParallelism = 1;
            (double loss1, float[] state1, float[] grad1, float[] logits1) = Run(cell);
            ComputeSettings.MaxDegreeOfParallelism = Environment.ProcessorCount;
            (double loss2, float[] state2, float[] grad2, float[] logits2) = Run(cell);
            Assert.Equal(loss1, loss2);
            Assert.Equal(state1, state2);
            Assert.Equal(grad1, grad2);
            Assert.Equal(logits1, logits2);
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Steady_state_training_step_allocates_nothing_on_one_thread(CellKind cell)
    {
        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            ComputeSettings.MaxDegreeOfParallelism = 1;
            IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 40, EmbeddingSize = 16, HiddenSize = 16, Layers = 2, Cell = cell, Dropout = 0.2f });
            int[] ids = [.. Enumerable.Range(0, 5 * 4).Select(i => i % 40)];
            RecurrentState state = model.CreateState(4);
            var random = new DeterministicRandom(1);
            model.Forward(ids, ids, default, state, ForwardMode.Train, random); // warm-up: buffers sized here
            model.Backward();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++)
            {
                model.ZeroGradients();
                model.Forward(ids, ids, default, state, ForwardMode.Train, random);
                model.Backward();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

            // A shorter window reuses the same buffers.
            before = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(ids.AsSpan(0, 8), ids.AsSpan(0, 8), default, state, ForwardMode.Train, random);
            model.Backward();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Steady_state_batch_one_step_allocates_nothing_on_one_thread(CellKind cell)
    {
        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            ComputeSettings.MaxDegreeOfParallelism = 1;
            IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 40, EmbeddingSize = 16, HiddenSize = 16, Layers = 2, Cell = cell });
            RecurrentState state = model.CreateState(1);
            float[] logits = new float[40];
            int[] token = [3];
            model.Step(token, state, logits); // warm-up: the state's scratch is sized here
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
            {
                token[0] = (i * 7) % 40;
                model.Step(token, state, logits);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    private static (double Loss, float[] State, float[] Gradients, float[] Logits) Run(CellKind cell)
    {
        // Big enough that a parallel GEMM would split the work (N = 256 rows, V = 300).
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 300, EmbeddingSize = 48, HiddenSize = 64, Layers = 2, Cell = cell, Seed = 8 });
        var r = new DeterministicRandom(5);
        int[] inputs = [.. Enumerable.Range(0, 16 * 16).Select(_ => r.Next(300))];
        int[] targets = [.. Enumerable.Range(0, 16 * 16).Select(_ => r.Next(300))];
        RecurrentState state = model.CreateState(16);
        model.ZeroGradients();
        double loss = model.Forward(inputs, targets, default, state, ForwardMode.Train).Sum;
        model.Backward();
        float[] logits = new float[16 * 300];
        model.Step(inputs.AsSpan(0, 16), state, logits);
        return (loss, state.AllHidden.ToArray(), model.Gradients.ToArray(), logits);
    }
}
