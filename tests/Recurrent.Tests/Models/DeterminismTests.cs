using Recurrent.Tests.TestUtilities;
using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>Tests that change the process-wide <see cref="ComputeSettings"/>; kept in one class so they run one at a time.</summary>
public class DeterminismTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn, 25)]
    [InlineData(CellKind.Lstm, 25)]
    [InlineData(CellKind.Gru, 37)]
    [InlineData(CellKind.Rnn, 16, true)]
    [InlineData(CellKind.Lstm, 16, true)]
    [InlineData(CellKind.Gru, 16, true)]
    [InlineData(CellKind.Lstm, 25, true)]
    [InlineData(CellKind.Gru, 31, true)]
    public void Same_seed_same_results_on_one_thread_and_on_all_cores(CellKind cell, int batch = 16, bool gang = false)
    {
        int saved = ComputeSettings.MaxDegreeOfParallelism;
        try
        {
            ComputeSettings.MaxDegreeOfParallelism = 1;
            (double loss1, float[] state1, float[] grad1, float[] logits1) = Run(cell, batch);

            // At least two threads even on a one-core machine, so the time loop is cut along the batch (lanes) and
            // the larger GEMMs are cut into tasks: neither may change a bit. With gang, the time loop runs as a gang
            // (each thread also computes a share of every step's product for all lanes, which real models do for a
            // W_hh larger than 2 MiB and parts of fewer than 16 lanes): that may not change a bit either.
            ComputeSettings.MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount);
            if (gang)
            {
                RecurrentLayer.GangMinWeightBytes = 0;
            }

            // A gang needs the worker pool to itself; while a test in another class holds it, a time loop runs lane
            // by lane instead (the same bits). Repeat until a forward and a backward loop have run as gangs.
            (long forward0, long backward0) = RecurrentLayer.GangRuns;
            bool ranAsGangs = !gang;
            for (int attempt = 0; attempt < (gang ? 50 : 1) && (attempt == 0 || !ranAsGangs); attempt++)
            {
                (double loss2, float[] state2, float[] grad2, float[] logits2) = Run(cell, batch);
                Assert.Equal(loss1, loss2);
                Assert.Equal(state1, state2);
                Assert.Equal(grad1, grad2);
                Assert.Equal(logits1, logits2);
                (long forward, long backward) = RecurrentLayer.GangRuns;
                ranAsGangs |= forward > forward0 && backward > backward0;
            }

            Assert.True(ranAsGangs, "the time loops did not run as gangs");
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
            RecurrentLayer.GangMinWeightBytes = RecurrentLayer.DefaultGangMinWeightBytes;
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
            Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
            {
                for (int i = 0; i < 3; i++)
                {
                    model.ZeroGradients();
                    model.Forward(ids, ids, default, state, ForwardMode.Train, random);
                    model.Backward();
                }
            }));

            // A shorter window reuses the same buffers.
            Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
            {
                model.Forward(ids.AsSpan(0, 8), ids.AsSpan(0, 8), default, state, ForwardMode.Train, random);
                model.Backward();
            }));
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
    public void Steady_state_training_step_with_the_embedding_table_by_id_allocates_nothing(CellKind cell)
    {
        // A character-sized vocabulary, no dropout and N = 20 ≥ 2·V: layer 0 reads the embedding table by id.
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 8, EmbeddingSize = 16, HiddenSize = 16, Layers = 2, Cell = cell });
        Assert.True(8 * RecurrentLanguageModel.EmbeddingTableMinPositionsPerId <= 20);
        int[] ids = [.. Enumerable.Range(0, 5 * 4).Select(i => (i * 3) % 8)];
        RecurrentState state = model.CreateState(4);
        model.Forward(ids, ids, default, state, ForwardMode.Train); // warm-up: buffers sized here
        model.Backward();
        Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                model.ZeroGradients();
                model.Forward(ids, ids, default, state, ForwardMode.Train);
                model.Backward();
            }
        }));
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
            Assert.Equal(0, Allocations.FewestBytesPerRound(() =>
            {
                for (int i = 0; i < 5; i++)
                {
                    token[0] = (i * 7) % 40;
                    model.Step(token, state, logits);
                }
            }));
        }
        finally
        {
            ComputeSettings.MaxDegreeOfParallelism = saved;
        }
    }

    private static (double Loss, float[] State, float[] Gradients, float[] Logits) Run(CellKind cell, int batch)
    {
        // Big enough that a parallel GEMM would split the work (N = 16·B rows, V = 300), and B ≥ 16 so that the time
        // loop runs its lanes in parts (an odd B leaves ragged GEMM tiles inside the parts).
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 300, EmbeddingSize = 48, HiddenSize = 64, Layers = 2, Cell = cell, Seed = 8 });
        var r = new DeterministicRandom(5);
        int[] inputs = [.. Enumerable.Range(0, 16 * batch).Select(_ => r.Next(300))];
        int[] targets = [.. Enumerable.Range(0, 16 * batch).Select(_ => r.Next(300))];
        RecurrentState state = model.CreateState(batch);
        model.ZeroGradients();
        double loss = model.Forward(inputs, targets, default, state, ForwardMode.Train).Sum;
        model.Backward();
        float[] logits = new float[batch * 300];
        model.Step(inputs.AsSpan(0, batch), state, logits);
        return (loss, state.AllHidden.ToArray(), model.Gradients.ToArray(), logits);
    }
}
