namespace Recurrent.Models;

/// <summary>
/// The ordered named tensors of a model and their offsets in the flat buffers, in PyTorch <c>state_dict</c> order:
/// <c>encoder.weight</c>, then per layer k <c>rnn.weight_ih_l{k}</c>, <c>rnn.weight_hh_l{k}</c>, <c>rnn.bias_ih_l{k}</c>,
/// <c>rnn.bias_hh_l{k}</c>, then <c>decoder.weight</c>, <c>decoder.bias</c>.
/// </summary>
/// <remarks>
/// With tied weights <c>decoder.weight</c> is listed with the offset of <c>encoder.weight</c> (one storage, two names, as
/// in a PyTorch state_dict of a tied module) and takes no space of its own.
/// </remarks>
internal sealed class ParameterLayout
{
    private readonly List<ParameterTensor> _tensors = [];

    public ParameterLayout(RecurrentModelOptions options, int gateCount)
    {
        int V = options.VocabularySize, E = options.EmbeddingSize, H = options.HiddenSize, GH = gateCount * H;
        Encoder = E > 0 ? Add("encoder.weight", V, E) : -1;
        WeightIh = new int[options.Layers];
        WeightHh = new int[options.Layers];
        BiasIh = new int[options.Layers];
        BiasHh = new int[options.Layers];
        for (int k = 0; k < options.Layers; k++)
        {
            int x = k > 0 ? H : E > 0 ? E : V;
            WeightIh[k] = Add($"rnn.weight_ih_l{k}", GH, x);
            WeightHh[k] = Add($"rnn.weight_hh_l{k}", GH, H);
            BiasIh[k] = options.UseBias ? Add($"rnn.bias_ih_l{k}", GH, 0) : -1;
            BiasHh[k] = options.UseBias ? Add($"rnn.bias_hh_l{k}", GH, 0) : -1;
        }

        if (options.TieWeights)
        {
            DecoderWeight = Encoder;
            _tensors.Add(new ParameterTensor("decoder.weight", V, H, Encoder));
        }
        else
        {
            DecoderWeight = Add("decoder.weight", V, H);
        }

        DecoderBias = options.UseBias ? Add("decoder.bias", V, 0) : -1;
    }

    /// <summary>Gets the tensors in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>Gets the total number of floats.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the offset of <c>encoder.weight</c> <c>[V, E]</c>, or −1 when EmbeddingSize is 0.</summary>
    public int Encoder { get; }

    /// <summary>Gets the offsets of <c>rnn.weight_ih_l{k}</c> <c>[G·H, X]</c>.</summary>
    public int[] WeightIh { get; }

    /// <summary>Gets the offsets of <c>rnn.weight_hh_l{k}</c> <c>[G·H, H]</c>.</summary>
    public int[] WeightHh { get; }

    /// <summary>Gets the offsets of <c>rnn.bias_ih_l{k}</c> <c>[G·H]</c>, −1 without biases.</summary>
    public int[] BiasIh { get; }

    /// <summary>Gets the offsets of <c>rnn.bias_hh_l{k}</c> <c>[G·H]</c>, −1 without biases.</summary>
    public int[] BiasHh { get; }

    /// <summary>Gets the offset of <c>decoder.weight</c> <c>[V, H]</c> (the encoder's when tied).</summary>
    public int DecoderWeight { get; }

    /// <summary>Gets the offset of <c>decoder.bias</c> <c>[V]</c>, −1 without biases.</summary>
    public int DecoderBias { get; }

    private int Add(string name, int rows, int columns)
    {
        var tensor = new ParameterTensor(name, rows, columns, Count);
        _tensors.Add(tensor);
        Count = checked(Count + tensor.Length);
        return tensor.Offset;
    }
}
