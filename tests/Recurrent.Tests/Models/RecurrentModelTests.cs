using Recurrent.Models;

namespace Recurrent.Tests.Models;

public class RecurrentModelTests
{
    [Fact]
    public void Tensors_have_pytorch_names_shapes_and_order()
    {
        var options = new RecurrentModelOptions { VocabularySize = 7, EmbeddingSize = 3, HiddenSize = 4, Layers = 2, Cell = CellKind.Lstm };
        IRecurrentModel model = RecurrentModel.Create(options);
        Assert.IsType<Lstm>(model);
        (string, int[])[] expected =
        [
            ("encoder.weight", [7, 3]),
            ("rnn.weight_ih_l0", [16, 3]), ("rnn.weight_hh_l0", [16, 4]), ("rnn.bias_ih_l0", [16]), ("rnn.bias_hh_l0", [16]),
            ("rnn.weight_ih_l1", [16, 4]), ("rnn.weight_hh_l1", [16, 4]), ("rnn.bias_ih_l1", [16]), ("rnn.bias_hh_l1", [16]),
            ("decoder.weight", [7, 4]), ("decoder.bias", [7]),
        ];
        Assert.Equal(expected.Select(e => e.Item1), model.Tensors.Select(t => t.Name));
        Assert.Equal(expected.Select(e => string.Join("x", e.Item2)), model.Tensors.Select(t => string.Join("x", t.Shape)));

        // Contiguous, in order, covering the whole buffer (PyTorch's parameter count for this module).
        int offset = 0;
        foreach (ParameterTensor t in model.Tensors)
        {
            Assert.Equal(offset, t.Offset);
            offset += t.Length;
        }

        int pytorchCount = (7 * 3) + (2 * ((16 * 3) + (16 * 4) + 32)) - (16 * 3) + (16 * 4) + (7 * 4) + 7;
        Assert.Equal(pytorchCount, offset);
        Assert.Equal(offset, model.ParameterCount);
        Assert.Equal(offset, model.Gradients.Length);
    }

    [Theory]
    [InlineData(CellKind.Rnn, 1, typeof(VanillaRnn))]
    [InlineData(CellKind.Gru, 3, typeof(Gru))]
    [InlineData(CellKind.Lstm, 4, typeof(Lstm))]
    public void One_hot_input_without_biases_is_the_original_rnn_layout(CellKind cell, int gates, Type type)
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 9, HiddenSize = 5, Cell = cell, UseBias = false });
        Assert.IsType(type, model);
        Assert.Equal(["rnn.weight_ih_l0", "rnn.weight_hh_l0", "decoder.weight"], model.Tensors.Select(t => t.Name));
        Assert.Equal([gates * 5, 9], model.Tensors[0].Shape);
        Assert.Equal([gates * 5, 5], model.Tensors[1].Shape);
        Assert.Equal([9, 5], model.Tensors[2].Shape);
    }

    [Fact]
    public void Tied_decoder_shares_the_encoder_storage()
    {
        IRecurrentModel model = new Gru(new RecurrentModelOptions { VocabularySize = 6, EmbeddingSize = 4, HiddenSize = 4, TieWeights = true });
        ParameterTensor enc = model.Tensors.Single(t => t.Name == "encoder.weight");
        ParameterTensor dec = model.Tensors.Single(t => t.Name == "decoder.weight");
        Assert.Equal(enc.Offset, dec.Offset);
        Assert.Equal(enc.Shape, dec.Shape);
        Assert.Equal(model.Tensors.Where(t => t.Name != "decoder.weight").Sum(t => t.Length), model.ParameterCount);
        Assert.Equal(CellKind.Gru, model.Options.Cell); // the class picks the cell
    }

    [Fact]
    public void Initialisation_is_seeded_and_follows_the_options()
    {
        var options = new RecurrentModelOptions { VocabularySize = 20, EmbeddingSize = 8, HiddenSize = 16, Cell = CellKind.Lstm, Seed = 5, ForgetGateBias = 1f };
        IRecurrentModel a = RecurrentModel.Create(options), b = RecurrentModel.Create(options), c = RecurrentModel.Create(options with { Seed = 6 });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        float k = 1f / MathF.Sqrt(16);
        ParameterTensor whh = a.Tensors.Single(t => t.Name == "rnn.weight_hh_l0");
        Assert.All(a.Parameters.Slice(whh.Offset, whh.Length).ToArray(), v => Assert.InRange(v, -k, k));
        ParameterTensor bih = a.Tensors.Single(t => t.Name == "rnn.bias_ih_l0"), bhh = a.Tensors.Single(t => t.Name == "rnn.bias_hh_l0");
        Assert.All(a.Parameters.Slice(bih.Offset + 16, 16).ToArray(), v => Assert.Equal(1f, v)); // forget block (i, f, g, o)
        Assert.All(a.Parameters.Slice(bhh.Offset + 16, 16).ToArray(), v => Assert.Equal(0f, v));

        IRecurrentModel ranged = RecurrentModel.Create(options with { InitRange = 0.05f });
        Assert.All(ranged.Parameters.ToArray(), v => Assert.InRange(v, -0.05f, 1f));
        ParameterTensor enc = ranged.Tensors[0];
        Assert.All(ranged.Parameters.Slice(enc.Offset, enc.Length).ToArray(), v => Assert.InRange(v, -0.05f, 0.05f));
    }

    [Fact]
    public void Misuse_throws()
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 5, HiddenSize = 3, Cell = CellKind.Rnn, Dropout = 0.5f });
        RecurrentState state = model.CreateState(2);
        int[] ids = [0, 1, 2, 3];
        Assert.Throws<InvalidOperationException>(model.Backward);
        model.Forward(ids, ids, default, state, ForwardMode.Evaluate);
        Assert.Throws<InvalidOperationException>(model.Backward); // evaluation caches nothing
        Assert.Throws<ArgumentException>(() => model.Forward(ids.AsSpan(0, 3), ids.AsSpan(0, 3), default, state, ForwardMode.Evaluate));
        Assert.Throws<ArgumentException>(() => model.Forward(ids, ids.AsSpan(0, 2), default, state, ForwardMode.Evaluate));
        Assert.Throws<ArgumentException>(() => model.Forward(ids, ids, new float[3], state, ForwardMode.Evaluate));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([0, 5], [0, 0], default, state, ForwardMode.Evaluate));
        Assert.Throws<ArgumentNullException>(() => model.Forward(ids, ids, default, state, ForwardMode.Train, random: null));
        Assert.Throws<ArgumentException>(() => model.Forward(ids, ids, default, new RecurrentState(1, 2, 3, hasCellState: true), ForwardMode.Evaluate));
        Assert.Throws<ArgumentException>(() => model.Step([0], state, new float[10]));
        Assert.Throws<ArgumentException>(() => model.Step([0, 1], state, new float[9]));
        model.Forward(ids, ids, default, state, ForwardMode.Train, new DeterministicRandom(1));
        model.Backward();
        Assert.Throws<InvalidOperationException>(model.Backward); // one backward per forward
        Assert.Throws<ArgumentException>(() => RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 5, HiddenSize = 3, TieWeights = true }));
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Step_and_forward_agree_and_carried_state_equals_one_long_window(CellKind cell)
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 11, EmbeddingSize = 6, HiddenSize = 8, Layers = 2, Cell = cell, Seed = 3 });
        var r = new DeterministicRandom(9);
        const int T = 6, B = 2, V = 11;
        int[] inputs = [.. Enumerable.Range(0, T * B).Select(_ => r.Next(V))];
        int[] targets = [.. Enumerable.Range(0, T * B).Select(_ => r.Next(V))];

        RecurrentState whole = model.CreateState(B);
        double full = model.Forward(inputs, targets, default, whole, ForwardMode.Evaluate).Sum;

        // Two windows of 3 steps with the state carried.
        RecurrentState carried = model.CreateState(B);
        double split = model.Forward(inputs.AsSpan(0, 3 * B), targets.AsSpan(0, 3 * B), default, carried, ForwardMode.Evaluate).Sum
            + model.Forward(inputs.AsSpan(3 * B), targets.AsSpan(3 * B), default, carried, ForwardMode.Evaluate).Sum;
        Assert.Equal(full, split, 1e-4);

        // Step, one token per lane at a time, gives the same loss (log-softmax done here in double) and final state.
        RecurrentState stepped = model.CreateState(B);
        float[] logits = new float[B * V];
        double stepLoss = 0;
        for (int t = 0; t < T; t++)
        {
            model.Step(inputs.AsSpan(t * B, B), stepped, logits);
            for (int b = 0; b < B; b++)
            {
                double[] z = [.. logits.AsSpan(b * V, V).ToArray().Select(v => (double)v)];
                double max = z.Max();
                stepLoss += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[targets[(t * B) + b]];
            }
        }

        Assert.Equal(full, stepLoss, 1e-4);
        for (int i = 0; i < whole.AllHidden.Length; i++)
        {
            Assert.Equal(whole.AllHidden[i], stepped.AllHidden[i], 1e-5);
            Assert.Equal(whole.AllHidden[i], carried.AllHidden[i], 1e-5);
        }

        // Predict is the argmax of Step's logits at each position.
        int[] sequence = [.. inputs.Take(5)];
        int[] predicted = model.Predict(sequence);
        RecurrentState single = model.CreateState(1);
        float[] one = new float[V];
        for (int t = 0; t < sequence.Length; t++)
        {
            model.Step(sequence.AsSpan(t, 1), single, one);
            Assert.Equal(Array.IndexOf(one, one.Max()), predicted[t]);
        }
    }

    [Fact]
    public void Embedding_size_zero_equals_an_embedding_holding_the_input_weight()
    {
        // Original vanilla RNN: a = U·onehot(x) + W·h = U[:, x] + W·h. The same model with E = H, encoder row v = U[:, v]
        // and W_ih = I computes the same thing, and dL/dencoder[v] = dL/dU[:, v].
        const int V = 7, H = 4;
        var oneHot = new VanillaRnn(new RecurrentModelOptions { VocabularySize = V, HiddenSize = H, UseBias = false, Seed = 2, InitRange = 0.5f });
        var embedded = new VanillaRnn(new RecurrentModelOptions { VocabularySize = V, EmbeddingSize = H, HiddenSize = H, UseBias = false, Seed = 2 });
        Span<float> u = oneHot.Parameters[..(H * V)]; // rnn.weight_ih_l0 [H, V]
        ParameterTensor enc = embedded.Tensors[0], wih = embedded.Tensors[1], whh = embedded.Tensors[2], dec = embedded.Tensors[3];
        for (int v = 0; v < V; v++)
        {
            for (int j = 0; j < H; j++)
            {
                embedded.Parameters[enc.Offset + (v * H) + j] = u[(j * V) + v];
            }
        }

        embedded.Parameters.Slice(wih.Offset, wih.Length).Clear();
        for (int j = 0; j < H; j++)
        {
            embedded.Parameters[wih.Offset + (j * H) + j] = 1f;
        }

        oneHot.Parameters.Slice(H * V, H * H).CopyTo(embedded.Parameters.Slice(whh.Offset, whh.Length));
        oneHot.Parameters.Slice((H * V) + (H * H), V * H).CopyTo(embedded.Parameters.Slice(dec.Offset, dec.Length));

        int[] inputs = [1, 4, 4, 0, 6, 2], targets = [4, 4, 0, 6, 2, 3];
        oneHot.ZeroGradients();
        embedded.ZeroGradients();
        double a = oneHot.Forward(inputs, targets, default, oneHot.CreateState(2), ForwardMode.Train).Sum;
        double b = embedded.Forward(inputs, targets, default, embedded.CreateState(2), ForwardMode.Train).Sum;
        oneHot.Backward();
        embedded.Backward();
        Assert.Equal(a, b, 1e-5);
        for (int v = 0; v < V; v++)
        {
            for (int j = 0; j < H; j++)
            {
                Assert.Equal(oneHot.Gradients[(j * V) + v], embedded.Gradients[enc.Offset + (v * H) + j], 1e-5);
            }
        }
    }

    [Fact]
    public void Evaluate_scores_a_stream_the_same_whatever_the_window()
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 13, EmbeddingSize = 5, HiddenSize = 6, Cell = CellKind.Gru, Seed = 4 });
        var r = new DeterministicRandom(2);
        int[] stream = [.. Enumerable.Range(0, 41).Select(_ => r.Next(13))];
        LossSum whole = model.Forward(stream.AsSpan(0, 40), stream.AsSpan(1, 40), default, model.CreateState(1), ForwardMode.Evaluate);
        LossSum windows = model.Evaluate(stream, windowLength: 7);
        Assert.Equal(40, windows.Count);
        Assert.Equal(whole.Sum, windows.Sum, 1e-4);
        Assert.Equal(Math.Exp(windows.Sum / 40), windows.Perplexity, 1e-9);
        Assert.Equal(0, model.Evaluate(stream.AsSpan(0, 1)).Count);
    }
}
