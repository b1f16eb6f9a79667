using System.Globalization;
using Recurrent.Models;

namespace Recurrent.Serialization;

/// <summary>
/// The PyTorch <c>state_dict</c> names of a model's tensors and access to their values by name, with the
/// shapes checked against the model's options.
/// </summary>
internal sealed class ModelTensors
{
    /// <summary>The embedding, <c>[V, E]</c>.</summary>
    public const string Encoder = "encoder.weight";

    /// <summary>The output projection, <c>[V, H]</c>.</summary>
    public const string Decoder = "decoder.weight";

    /// <summary>The output bias, <c>[V]</c>.</summary>
    public const string DecoderBias = "decoder.bias";

    private readonly IRecurrentModel _model;
    private readonly Dictionary<string, ParameterTensor> _byName;

    /// <summary>Indexes a model's tensors by name.</summary>
    /// <param name="model">The model.</param>
    public ModelTensors(IRecurrentModel model)
    {
        _model = model;
        _byName = new Dictionary<string, ParameterTensor>(StringComparer.Ordinal);
        foreach (ParameterTensor tensor in model.Tensors)
        {
            _byName[tensor.Name] = tensor;
        }
    }

    /// <summary>Gets the input-to-hidden weight name of layer <paramref name="layer"/>.</summary>
    /// <param name="layer">The 0-based layer index.</param>
    /// <returns>E.g. <c>rnn.weight_ih_l0</c>.</returns>
    public static string WeightIh(int layer) => "rnn.weight_ih_l" + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the hidden-to-hidden weight name of layer <paramref name="layer"/>.</summary>
    /// <param name="layer">The 0-based layer index.</param>
    /// <returns>E.g. <c>rnn.weight_hh_l0</c>.</returns>
    public static string WeightHh(int layer) => "rnn.weight_hh_l" + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the input bias name of layer <paramref name="layer"/>.</summary>
    /// <param name="layer">The 0-based layer index.</param>
    /// <returns>E.g. <c>rnn.bias_ih_l0</c>.</returns>
    public static string BiasIh(int layer) => "rnn.bias_ih_l" + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the recurrent bias name of layer <paramref name="layer"/>.</summary>
    /// <param name="layer">The 0-based layer index.</param>
    /// <returns>E.g. <c>rnn.bias_hh_l0</c>.</returns>
    public static string BiasHh(int layer) => "rnn.bias_hh_l" + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Lists the tensors (PyTorch <c>state_dict</c> names and shapes) a model with these options has, computed
    /// from the options alone so that a file can be checked before the model is allocated.
    /// </summary>
    /// <param name="options">Validated options.</param>
    /// <returns>Name, rows and columns (0 for a vector) of each tensor, in <c>state_dict</c> order.</returns>
    public static List<(string Name, long Rows, long Columns)> Expected(RecurrentModelOptions options)
    {
        long v = options.VocabularySize, e = options.EmbeddingSize, h = options.HiddenSize;
        long gh = h * options.Cell switch
        {
            CellKind.Rnn => 1,
            CellKind.Lstm => 4,
            _ => 3,
        };
        var tensors = new List<(string Name, long Rows, long Columns)>();
        if (e > 0)
        {
            tensors.Add((Encoder, v, e));
        }

        for (int k = 0; k < options.Layers; k++)
        {
            tensors.Add((WeightIh(k), gh, k > 0 ? h : e > 0 ? e : v));
            tensors.Add((WeightHh(k), gh, h));
            if (options.UseBias)
            {
                tensors.Add((BiasIh(k), gh, 0));
                tensors.Add((BiasHh(k), gh, 0));
            }
        }

        tensors.Add((Decoder, v, h));
        if (options.UseBias)
        {
            tensors.Add((DecoderBias, v, 0));
        }

        return tensors;
    }

    /// <summary>Copies a tensor's values, checking its shape.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="rows">The expected first dimension.</param>
    /// <param name="columns">The expected second dimension, or 0 for a vector.</param>
    /// <returns>A copy of the values, row-major.</returns>
    /// <exception cref="InvalidOperationException">The model has no such tensor or its shape differs.</exception>
    public float[] Get(string name, int rows, int columns)
    {
        if (!_byName.TryGetValue(name, out ParameterTensor? tensor))
        {
            throw new InvalidOperationException($"The model has no tensor '{name}'.");
        }

        if (tensor.Rows != rows || tensor.Columns != columns)
        {
            throw new InvalidOperationException($"The model's tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}], expected [{rows}{(columns == 0 ? string.Empty : ", " + columns.ToString(CultureInfo.InvariantCulture))}].");
        }

        return _model.Parameters.Slice(tensor.Offset, tensor.Length).ToArray();
    }

    /// <summary>Copies the output projection <c>[V, H]</c>, which is the embedding when the weights are tied.</summary>
    /// <param name="vocabularySize">V.</param>
    /// <param name="hiddenSize">H.</param>
    /// <returns>A copy of the values, row-major.</returns>
    public float[] GetDecoder(int vocabularySize, int hiddenSize)
        => _byName.ContainsKey(Decoder) || !_model.Options.TieWeights
            ? Get(Decoder, vocabularySize, hiddenSize)
            : Get(Encoder, vocabularySize, hiddenSize);
}
