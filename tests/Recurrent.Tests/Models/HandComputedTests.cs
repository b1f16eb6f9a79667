using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>
/// Two steps, H = 2, V = 2, one-hot input (EmbeddingSize 0), B = 1, inputs [0, 1], targets [1, 0], zero initial state,
/// with weights chosen by hand; the expected states, loss and decoder-bias gradient are written out below from each
/// cell's equations, unit by unit, independently of the library's code.
/// </summary>
public class HandComputedTests
{
    private static readonly int[] s_inputs = [0, 1];
    private static readonly int[] s_targets = [1, 0];

    // Decoder [V=2, H=2] and its bias, shared by all three cases: z = D·h + b.
    private static readonly float[] s_decoder = [1f, -1f, 0.5f, 0.5f];
    private static readonly float[] s_decoderBias = [0.1f, -0.1f];

    [Fact]
    public void Rnn_two_steps()
    {
        // U = W_ih [2, 2] (column = token), W = W_hh [2, 2]; biases zero.
        float[] u = [0.5f, -0.3f, 0.2f, 0.4f];
        float[] w = [0.1f, 0.2f, -0.4f, 0.3f];
        IRecurrentModel model = Build(CellKind.Rnn, u, w);

        // t = 0, token 0: h1 = tanh(U[:, 0])
        double h1a = Math.Tanh(0.5), h1b = Math.Tanh(0.2);
        // t = 1, token 1: h2 = tanh(U[:, 1] + W·h1)
        double h2a = Math.Tanh(-0.3 + (0.1 * h1a) + (0.2 * h1b));
        double h2b = Math.Tanh(0.4 + (-0.4 * h1a) + (0.3 * h1b));

        Check(model, [h1a, h1b], [h2a, h2b], null);
    }

    [Fact]
    public void Lstm_two_steps()
    {
        // W_ih [8, 2]: rows i0 i1 f0 f1 g0 g1 o0 o1, columns token 0, token 1. W_hh = 0.5 on each gate's diagonal.
        float[] wih = [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.7f, 0.8f, 0.9f, -1.0f, 1.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f];
        IRecurrentModel model = Build(CellKind.Lstm, wih, DiagonalHalf(4));

        // t = 0 (h0 = c0 = 0): c1 = i ⊙ g, h1 = o ⊙ tanh(c1)
        double c1a = S(0.1) * Math.Tanh(0.9), c1b = S(0.3) * Math.Tanh(1.1);
        double h1a = S(-0.3) * Math.Tanh(c1a), h1b = S(0.5) * Math.Tanh(c1b);

        // t = 1, token 1: every preactivation gets + 0.5·h1[unit]
        double ia = S(-0.2 + (0.5 * h1a)), ib = S(0.4 + (0.5 * h1b));
        double fa = S(0.6 + (0.5 * h1a)), fb = S(0.8 + (0.5 * h1b));
        double ga = Math.Tanh(-1.0 + (0.5 * h1a)), gb = Math.Tanh(0.2 + (0.5 * h1b));
        double oa = S(0.4 + (0.5 * h1a)), ob = S(-0.6 + (0.5 * h1b));
        double c2a = (fa * c1a) + (ia * ga), c2b = (fb * c1b) + (ib * gb);
        double h2a = oa * Math.Tanh(c2a), h2b = ob * Math.Tanh(c2b);

        Check(model, [h1a, h1b], [h2a, h2b], [c2a, c2b]);
    }

    [Fact]
    public void Gru_two_steps()
    {
        // W_ih [6, 2]: rows r0 r1 z0 z1 n0 n1. W_hh = 0.5 on each gate's diagonal; biases zero, so hg_n = 0.5·h.
        float[] wih = [0.2f, -0.1f, 0.4f, 0.3f, -0.5f, 0.6f, 0.1f, -0.2f, 0.7f, -0.8f, 0.3f, 0.9f];
        IRecurrentModel model = Build(CellKind.Gru, wih, DiagonalHalf(3));

        // t = 0 (h0 = 0): r ⊙ hg_n = 0, n = tanh(W_in x), h1 = (1 − z) ⊙ n
        double z1a = S(-0.5), z1b = S(0.1);
        double h1a = (1 - z1a) * Math.Tanh(0.7), h1b = (1 - z1b) * Math.Tanh(0.3);

        // t = 1, token 1
        double ra = S(-0.1 + (0.5 * h1a)), rb = S(0.3 + (0.5 * h1b));
        double za = S(0.6 + (0.5 * h1a)), zb = S(-0.2 + (0.5 * h1b));
        double na = Math.Tanh(-0.8 + (ra * 0.5 * h1a)), nb = Math.Tanh(0.9 + (rb * 0.5 * h1b));
        double h2a = ((1 - za) * na) + (za * h1a), h2b = ((1 - zb) * nb) + (zb * h1b);

        Check(model, [h1a, h1b], [h2a, h2b], null);
    }

    private static double S(double a) => 1 / (1 + Math.Exp(-a));

    private static float[] DiagonalHalf(int gates)
    {
        float[] w = new float[gates * 2 * 2];
        for (int r = 0; r < gates * 2; r++)
        {
            w[(r * 2) + (r % 2)] = 0.5f;
        }

        return w;
    }

    private static IRecurrentModel Build(CellKind cell, float[] wih, float[] whh)
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 2, HiddenSize = 2, Cell = cell, Seed = 1 });
        Set(model, "rnn.weight_ih_l0", wih);
        Set(model, "rnn.weight_hh_l0", whh);
        Set(model, "rnn.bias_ih_l0", new float[wih.Length / 2]);
        Set(model, "rnn.bias_hh_l0", new float[wih.Length / 2]);
        Set(model, "decoder.weight", s_decoder);
        Set(model, "decoder.bias", s_decoderBias);
        return model;
    }

    private static void Set(IRecurrentModel model, string name, float[] values)
    {
        ParameterTensor t = model.Tensors.Single(x => x.Name == name);
        Assert.Equal(t.Length, values.Length);
        values.CopyTo(model.Parameters.Slice(t.Offset, t.Length));
    }

    private static void Check(IRecurrentModel model, double[] h1, double[] h2, double[]? c2)
    {
        // Loss: Σ_t logsumexp(z_t) − z_t[target_t] with z = D·h + b; dL/db = Σ_t softmax(z_t) − onehot(target_t).
        double loss = 0;
        double[] dBias = new double[2];
        foreach ((double[] h, int target) in new[] { (h1, 1), (h2, 0) })
        {
            double z0 = h[0] - h[1] + 0.1, z1 = (0.5 * h[0]) + (0.5 * h[1]) - 0.1;
            double lse = Math.Log(Math.Exp(z0) + Math.Exp(z1));
            loss += lse - (target == 0 ? z0 : z1);
            dBias[0] += Math.Exp(z0 - lse) - (target == 0 ? 1 : 0);
            dBias[1] += Math.Exp(z1 - lse) - (target == 1 ? 1 : 0);
        }

        RecurrentState state = model.CreateState(1);
        model.ZeroGradients();
        LossSum sum = model.Forward(s_inputs, s_targets, default, state, ForwardMode.Train);
        model.Backward();

        Assert.Equal(2, sum.Count);
        Assert.Equal(loss, sum.Sum, 1e-6);
        Assert.Equal(h2[0], state.Hidden(0)[0], 1e-6);
        Assert.Equal(h2[1], state.Hidden(0)[1], 1e-6);
        if (c2 is not null)
        {
            Assert.Equal(c2[0], state.Cell(0)[0], 1e-6);
            Assert.Equal(c2[1], state.Cell(0)[1], 1e-6);
        }

        ParameterTensor bias = model.Tensors.Single(x => x.Name == "decoder.bias");
        Assert.Equal(dBias[0], model.Gradients[bias.Offset], 1e-6);
        Assert.Equal(dBias[1], model.Gradients[bias.Offset + 1], 1e-6);

        // The sampling path gives the same first state.
        RecurrentState stepState = model.CreateState(1);
        float[] logits = new float[2];
        model.Step(s_inputs.AsSpan(0, 1), stepState, logits);
        Assert.Equal(h1[0], stepState.Hidden(0)[0], 1e-6);
        Assert.Equal(h1[1], stepState.Hidden(0)[1], 1e-6);
        Assert.Equal(h1[0] - h1[1] + 0.1, logits[0], 1e-6);
    }
}
