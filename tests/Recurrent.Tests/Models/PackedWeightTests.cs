using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>The layers pack W_hh once per window: a forward/backward after an update must see the new weights.</summary>
public class PackedWeightTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Window_after_a_parameter_update_matches_a_fresh_model_with_those_parameters(CellKind cell)
    {
        var options = new RecurrentModelOptions { VocabularySize = 30, EmbeddingSize = 12, HiddenSize = 20, Layers = 2, Cell = cell, Seed = 3 };
        var r = new DeterministicRandom(11);
        int[] inputs = [.. Enumerable.Range(0, 6 * 4).Select(_ => r.Next(30))];
        int[] targets = [.. Enumerable.Range(0, 6 * 4).Select(_ => r.Next(30))];

        // Model A trains one window (packing W_hh), then its parameters change (as after an optimizer step).
        IRecurrentModel a = RecurrentModel.Create(options);
        a.ZeroGradients();
        a.Forward(inputs, targets, default, a.CreateState(4), ForwardMode.Train);
        a.Backward();
        for (int i = 0; i < a.Parameters.Length; i++)
        {
            a.Parameters[i] += 0.05f * ((2f * r.NextSingle()) - 1f);
        }

        // Model B starts with A's updated parameters and has never packed the old ones.
        IRecurrentModel b = RecurrentModel.Create(options);
        a.Parameters.CopyTo(b.Parameters);

        (double lossA, float[] gradA) = TrainWindow(a, inputs, targets);
        (double lossB, float[] gradB) = TrainWindow(b, inputs, targets);
        Assert.Equal(lossB, lossA);
        Assert.Equal(gradB, gradA);
    }

    private static (double Loss, float[] Gradients) TrainWindow(IRecurrentModel model, int[] inputs, int[] targets)
    {
        model.ZeroGradients();
        double loss = model.Forward(inputs, targets, default, model.CreateState(4), ForwardMode.Train).Sum;
        model.Backward();
        return (loss, model.Gradients.ToArray());
    }
}
