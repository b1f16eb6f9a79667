using Recurrent.Models;

namespace Recurrent.Tests.Models;

public class DropoutTests
{
    private static readonly int[] s_inputs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2];
    private static readonly int[] s_targets = [2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3];

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Dropout_applies_in_training_only(CellKind cell)
    {
        var options = new RecurrentModelOptions { VocabularySize = 10, EmbeddingSize = 8, HiddenSize = 8, Layers = 2, Cell = cell, Seed = 4 };
        IRecurrentModel plain = RecurrentModel.Create(options);
        IRecurrentModel dropped = RecurrentModel.Create(options with { Dropout = 0.5f });
        Assert.True(plain.Parameters.SequenceEqual(dropped.Parameters));

        double reference = plain.Forward(s_inputs, s_targets, default, plain.CreateState(3), ForwardMode.Evaluate).Sum;
        double trainNoDropout = plain.Forward(s_inputs, s_targets, default, plain.CreateState(3), ForwardMode.Train).Sum;
        Assert.Equal(reference, trainNoDropout);

        // Evaluation ignores dropout (and needs no generator); so does Step.
        Assert.Equal(reference, dropped.Forward(s_inputs, s_targets, default, dropped.CreateState(3), ForwardMode.Evaluate).Sum);
        float[] a = new float[30], b = new float[30];
        plain.Step([1, 2, 3], plain.CreateState(3), a);
        dropped.Step([1, 2, 3], dropped.CreateState(3), b);
        Assert.Equal(a, b);

        // Training applies it: a different loss, reproducible from the generator's seed.
        double t1 = dropped.Forward(s_inputs, s_targets, default, dropped.CreateState(3), ForwardMode.Train, new DeterministicRandom(7)).Sum;
        double t2 = dropped.Forward(s_inputs, s_targets, default, dropped.CreateState(3), ForwardMode.Train, new DeterministicRandom(7)).Sum;
        double t3 = dropped.Forward(s_inputs, s_targets, default, dropped.CreateState(3), ForwardMode.Train, new DeterministicRandom(8)).Sum;
        Assert.NotEqual(reference, t1);
        Assert.Equal(t1, t2);
        Assert.NotEqual(t1, t3);
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Gradients_with_dropout_match_finite_differences_of_the_same_masks(CellKind cell)
    {
        // Re-seeding the generator reproduces the masks, so the dropped-out loss is a fixed function of the parameters.
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions
        {
            VocabularySize = 10, EmbeddingSize = 5, HiddenSize = 5, Layers = 2, Cell = cell, Dropout = 0.3f, Seed = 11, InitRange = 0.5f,
        });
        double Loss(bool backward)
        {
            double loss = model.Forward(s_inputs, s_targets, default, model.CreateState(3), ForwardMode.Train, new DeterministicRandom(21)).Sum;
            if (backward)
            {
                model.ZeroGradients();
                model.Backward();
            }

            return loss;
        }

        Loss(backward: true);
        float[] analytic = model.Gradients.ToArray();
        var pick = new DeterministicRandom(3);
        for (int n = 0; n < 40; n++)
        {
            int i = pick.Next(model.ParameterCount);
            float saved = model.Parameters[i];
            const float e = 1e-2f;
            model.Parameters[i] = saved + e;
            double up = Loss(false);
            model.Parameters[i] = saved - e;
            double down = Loss(false);
            model.Parameters[i] = saved;

            // In float, (p ± e) is rounded and the loss carries ~1e-6 relative noise, so the central difference is good to ~1e-3:
            // a looser bound than the double-precision check, still far below the O(1) error of a dropped mask.
            double numeric = (up - down) / ((double)(saved + e) - (double)(saved - e));
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: analytic {analytic[i]} vs numeric {numeric}");
        }
    }
}
