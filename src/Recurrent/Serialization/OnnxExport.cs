using Recurrent.Models;

namespace Recurrent.Serialization;

/// <summary>
/// Exports a trained model as an ONNX graph that ONNX Runtime (or any ONNX engine) can run and step.
/// </summary>
/// <remarks>
/// <para>The graph (opset <see cref="OpsetVersion"/>) is <c>Gather</c> on the embedding (or <c>OneHot</c>
/// when the model has no embedding) → one standard ONNX <c>RNN</c>/<c>LSTM</c>/<c>GRU</c> node per layer →
/// <c>MatMul</c> (+ <c>Add</c>) for the output projection. Inputs: <c>tokens</c> (int64
/// <c>[sequence, batch]</c>, time-major), <c>h0</c> (float <c>[layers, batch, hidden]</c>) and, for LSTM,
/// <c>c0</c>. Outputs: <c>logits</c> (float <c>[sequence, batch, vocabulary]</c>, unnormalised), <c>hn</c>
/// and, for LSTM, <c>cn</c>. Feeding <c>hn</c>/<c>cn</c> back as <c>h0</c>/<c>c0</c> steps the model.</para>
/// <para>Gate blocks are reordered from PyTorch's order to ONNX's: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h
/// with <c>linear_before_reset = 1</c> (PyTorch's GRU). Dropout is not part of the exported graph.</para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graph uses.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written (the one that goes with <see cref="OpsetVersion"/>).</summary>
    public const int IrVersion = 8;

    private const int FloatType = 1; // TensorProto.DataType.FLOAT
    private const int Int64Type = 7; // TensorProto.DataType.INT64

    /// <summary>Exports a model to an ONNX file, atomically (temporary file, flush, rename).</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="path">The destination path; an existing file is replaced.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The model's tensors do not have the names and shapes its options imply.</exception>
    public static void Save(IRecurrentModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ProtoMessage proto = Build(model);
        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Writes a model as an ONNX protobuf to a stream.</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="destination">A writable stream.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The model's tensors do not have the names and shapes its options imply.</exception>
    public static void Write(IRecurrentModel model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        Build(model).WriteTo(destination);
    }

    private static ProtoMessage Build(IRecurrentModel model)
    {
        RecurrentModelOptions options = model.Options;
        var weights = new ModelTensors(model);
        int v = options.VocabularySize;
        int e = options.EmbeddingSize;
        int h = options.HiddenSize;
        int layers = options.Layers;
        int gates = GateCount(options.Cell);
        bool lstm = options.Cell == CellKind.Lstm;

        var nodes = new List<ProtoMessage>();
        var initializers = new List<ProtoMessage>();

        // Input: embedding lookup, or one-hot vectors when the first layer reads token ids directly.
        string x;
        int inputSize;
        if (e > 0)
        {
            initializers.Add(FloatTensor("encoder.weight", weights.Get(ModelTensors.Encoder, v, e), v, e));
            nodes.Add(Node("Gather", ["encoder.weight", "tokens"], ["embedded"], "embedding", Int("axis", 0)));
            x = "embedded";
            inputSize = e;
        }
        else
        {
            initializers.Add(Int64Tensor("onehot_depth", [v], 1));
            initializers.Add(FloatTensor("onehot_values", [0f, 1f], 2));
            nodes.Add(Node("OneHot", ["tokens", "onehot_depth", "onehot_values"], ["embedded"], "one_hot", Int("axis", -1)));
            x = "embedded";
            inputSize = v;
        }

        initializers.Add(Int64Tensor("axis_0", [0], 1));
        initializers.Add(Int64Tensor("axis_1", [1], 1));
        var finalHidden = new List<string>();
        var finalCell = new List<string>();
        string opType = options.Cell switch
        {
            CellKind.Rnn => "RNN",
            CellKind.Lstm => "LSTM",
            _ => "GRU",
        };
        int[] order = options.Cell switch
        {
            CellKind.Lstm => [0, 3, 1, 2], // PyTorch i,f,g,o → ONNX i,o,f,c
            CellKind.Gru => [1, 0, 2],     // PyTorch r,z,n → ONNX z,r,h
            _ => [0],
        };

        for (int k = 0; k < layers; k++)
        {
            int layerInput = k == 0 ? inputSize : h;
            float[] wih = Reorder(weights.Get(ModelTensors.WeightIh(k), gates * h, layerInput), order, h * layerInput);
            float[] whh = Reorder(weights.Get(ModelTensors.WeightHh(k), gates * h, h), order, h * h);
            initializers.Add(FloatTensor($"W_l{k}", wih, 1, gates * h, layerInput));
            initializers.Add(FloatTensor($"R_l{k}", whh, 1, gates * h, h));
            string bias = string.Empty;
            if (options.UseBias)
            {
                float[] b = new float[2 * gates * h];
                Reorder(weights.Get(ModelTensors.BiasIh(k), gates * h, 0), order, h).CopyTo(b, 0);
                Reorder(weights.Get(ModelTensors.BiasHh(k), gates * h, 0), order, h).CopyTo(b, gates * h);
                bias = $"B_l{k}";
                initializers.Add(FloatTensor(bias, b, 1, 2 * gates * h));
            }

            initializers.Add(Int64Tensor($"start_l{k}", [k], 1));
            initializers.Add(Int64Tensor($"end_l{k}", [k + 1], 1));
            nodes.Add(Node("Slice", ["h0", $"start_l{k}", $"end_l{k}", "axis_0"], [$"h0_l{k}"], $"slice_h0_l{k}"));
            var inputs = new List<string> { x, $"W_l{k}", $"R_l{k}", bias, string.Empty, $"h0_l{k}" };
            var outputs = new List<string> { $"y_l{k}", $"hn_l{k}" };
            if (lstm)
            {
                nodes.Add(Node("Slice", ["c0", $"start_l{k}", $"end_l{k}", "axis_0"], [$"c0_l{k}"], $"slice_c0_l{k}"));
                inputs.Add($"c0_l{k}");
                outputs.Add($"cn_l{k}");
                finalCell.Add($"cn_l{k}");
            }

            var attributes = new List<ProtoMessage> { Int("hidden_size", h) };
            if (options.Cell == CellKind.Gru)
            {
                attributes.Add(Int("linear_before_reset", 1));
            }

            nodes.Add(Node(opType, inputs, outputs, $"{opType.ToLowerInvariant()}_l{k}", [.. attributes]));

            // Y is [T, num_directions = 1, B, H]; drop the direction axis.
            nodes.Add(Node("Squeeze", [$"y_l{k}", "axis_1"], [$"x_l{k + 1}"], $"squeeze_l{k}"));
            x = $"x_l{k + 1}";
            finalHidden.Add($"hn_l{k}");
        }

        nodes.Add(Node("Concat", finalHidden, ["hn"], "concat_hn", Int("axis", 0)));
        if (lstm)
        {
            nodes.Add(Node("Concat", finalCell, ["cn"], "concat_cn", Int("axis", 0)));
        }

        // Output projection: logits = x · decoder.weightᵀ (+ decoder.bias).
        float[] decoder = weights.GetDecoder(v, h);
        initializers.Add(FloatTensor("decoder.weight_t", Transpose(decoder, v, h), h, v));
        if (options.UseBias)
        {
            initializers.Add(FloatTensor("decoder.bias", weights.Get(ModelTensors.DecoderBias, v, 0), v));
            nodes.Add(Node("MatMul", [x, "decoder.weight_t"], ["projected"], "decoder_matmul"));
            nodes.Add(Node("Add", ["projected", "decoder.bias"], ["logits"], "decoder_bias"));
        }
        else
        {
            nodes.Add(Node("MatMul", [x, "decoder.weight_t"], ["logits"], "decoder_matmul"));
        }

        var graph = new ProtoMessage();
        foreach (ProtoMessage node in nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, "recurrent_language_model");
        foreach (ProtoMessage initializer in initializers)
        {
            graph.Message(5, initializer);
        }

        graph.Message(11, Value("tokens", Int64Type, Dim("sequence"), Dim("batch")));
        graph.Message(11, Value("h0", FloatType, Dim(layers), Dim("batch"), Dim(h)));
        if (lstm)
        {
            graph.Message(11, Value("c0", FloatType, Dim(layers), Dim("batch"), Dim(h)));
        }

        graph.Message(12, Value("logits", FloatType, Dim("sequence"), Dim("batch"), Dim(v)));
        graph.Message(12, Value("hn", FloatType, Dim(layers), Dim("batch"), Dim(h)));
        if (lstm)
        {
            graph.Message(12, Value("cn", FloatType, Dim(layers), Dim("batch"), Dim(h)));
        }

        var proto = new ProtoMessage()
            .Int64(1, IrVersion)
            .String(2, "Recurrent")
            .String(3, typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, graph)
            .Message(8, new ProtoMessage().String(1, string.Empty).Int64(2, OpsetVersion));
        proto.Message(14, new ProtoMessage().String(1, "recurrent.cell").String(2, options.Cell.ToString()));
        return proto;
    }

    private static int GateCount(CellKind cell) => cell switch
    {
        CellKind.Rnn => 1,
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => throw new InvalidOperationException($"Unknown cell kind {cell}."),
    };

    /// <summary>Reorders the gate blocks (each <paramref name="blockLength"/> elements) of a gate-stacked tensor.</summary>
    private static float[] Reorder(float[] source, int[] order, int blockLength)
    {
        float[] result = new float[source.Length];
        for (int i = 0; i < order.Length; i++)
        {
            source.AsSpan(order[i] * blockLength, blockLength).CopyTo(result.AsSpan(i * blockLength));
        }

        return result;
    }

    private static float[] Transpose(float[] source, int rows, int columns)
    {
        float[] result = new float[source.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = source[(r * columns) + c];
            }
        }

        return result;
    }

    private static ProtoMessage Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string name, params ProtoMessage[] attributes)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, name).String(4, opType);
        foreach (ProtoMessage attribute in attributes)
        {
            node.Message(5, attribute);
        }

        return node;
    }

    private static ProtoMessage Int(string name, long value)
        => new ProtoMessage().String(1, name).Int64(3, value).Int64(20, 2); // AttributeType.INT

    private static ProtoMessage FloatTensor(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
    {
        var tensor = new ProtoMessage();
        foreach (long dim in dims)
        {
            tensor.Int64(1, dim);
        }

        return tensor.Int64(2, FloatType).String(8, name).RawFloats(9, values);
    }

    private static ProtoMessage Int64Tensor(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> dims)
    {
        var tensor = new ProtoMessage();
        foreach (long dim in dims)
        {
            tensor.Int64(1, dim);
        }

        tensor.Int64(2, Int64Type);
        foreach (long value in values)
        {
            tensor.Int64(7, value);
        }

        return tensor.String(8, name);
    }

    private static ProtoMessage Dim(long value) => new ProtoMessage().Int64(1, value);

    private static ProtoMessage Dim(string symbol) => new ProtoMessage().String(2, symbol);

    private static ProtoMessage Value(string name, int elementType, params ProtoMessage[] dims)
    {
        var shape = new ProtoMessage();
        foreach (ProtoMessage dim in dims)
        {
            shape.Message(1, dim);
        }

        var tensorType = new ProtoMessage().Int64(1, elementType).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }
}
