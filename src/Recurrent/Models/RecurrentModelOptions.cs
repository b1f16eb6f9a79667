namespace Recurrent.Models;

/// <summary>The shape and initialisation of a recurrent language model. Immutable.</summary>
/// <remarks>
/// The model is <c>Embedding [V, E] → L recurrent layers (H units) → Linear [V, H] → softmax</c>, the same
/// module PyTorch builds from <c>nn.Embedding</c>, <c>nn.RNN/nn.LSTM/nn.GRU(num_layers=L)</c> and <c>nn.Linear</c>.
/// </remarks>
public sealed record RecurrentModelOptions
{
    /// <summary>Gets the vocabulary size V (number of token ids).</summary>
    public required int VocabularySize { get; init; }

    /// <summary>
    /// Gets the embedding size E. Zero means "no separate embedding": the first layer's input weight is
    /// applied to one-hot inputs directly, as in the original vanilla RNN (<c>U·x</c> with x one-hot).
    /// </summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Gets the hidden size H of every recurrent layer.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the number of stacked recurrent layers L (default 1).</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Gets the cell kind (default LSTM).</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>
    /// Gets the dropout probability p (default 0). In training forward passes only, inverted dropout (kept values scaled by
    /// 1/(1 − p)) is applied to the embedding output, between layers and to the last layer's output, as PyTorch's
    /// word_language_model does. With EmbeddingSize 0 the (one-hot) input is not dropped.
    /// </summary>
    public float Dropout { get; init; }

    /// <summary>Gets whether the output projection shares the embedding matrix (requires E = H).</summary>
    public bool TieWeights { get; init; }

    /// <summary>Gets whether the recurrent layers and the output projection have biases (default true).</summary>
    public bool UseBias { get; init; } = true;

    /// <summary>
    /// Gets the half-width k of the uniform initialisation: when positive, every parameter (weights and biases, the
    /// embedding included) is drawn from <c>U(−k, k)</c>. 0 (default) means PyTorch's defaults: <c>U(−1/√H, 1/√H)</c>
    /// for the recurrent layers' weights and biases and for the decoder's weight and bias, <c>N(0, 1)</c> for the embedding.
    /// </summary>
    public float InitRange { get; init; }

    /// <summary>
    /// Gets the initial LSTM forget-gate bias. When non-zero (and <see cref="UseBias"/> is set), the forget block of every
    /// <c>bias_ih</c> is set to this value and that of every <c>bias_hh</c> to 0, so their sum starts at the value
    /// (1 is the usual choice). 0 (default) leaves the forget biases as initialised, as PyTorch does.
    /// </summary>
    public float ForgetGateBias { get; init; }

    /// <summary>Gets the seed for parameter initialisation.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Gets whether <paramref name="other"/> gives the same parameter layout (sizes, layers, cell, tying, biases);
    /// initialisation, seed and dropout may differ.
    /// </summary>
    internal bool HasSameLayout(RecurrentModelOptions other) =>
        VocabularySize == other.VocabularySize && EmbeddingSize == other.EmbeddingSize && HiddenSize == other.HiddenSize
        && Layers == other.Layers && Cell == other.Cell && TieWeights == other.TieWeights && UseBias == other.UseBias;

    /// <summary>Describes the layout-defining options, for error messages.</summary>
    internal string LayoutText() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Cell} V={VocabularySize} E={EmbeddingSize} H={HiddenSize} L={Layers} tied={TieWeights} bias={UseBias}");

    /// <summary>Checks every option and throws when one is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or dropout is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">Weight tying is requested while E ≠ H.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabularySize, 1, nameof(VocabularySize));
        ArgumentOutOfRangeException.ThrowIfNegative(EmbeddingSize, nameof(EmbeddingSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(HiddenSize, 1, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Layers, 1, nameof(Layers));
        if (!Enum.IsDefined(Cell))
        {
            throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown cell kind.");
        }

        if (!(Dropout >= 0f && Dropout < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        }

        if (!(InitRange >= 0f) || float.IsInfinity(InitRange))
        {
            throw new ArgumentOutOfRangeException(nameof(InitRange), InitRange, "InitRange must be finite and non-negative.");
        }

        if (TieWeights && EmbeddingSize != HiddenSize)
        {
            throw new ArgumentException($"Weight tying needs EmbeddingSize ({EmbeddingSize}) = HiddenSize ({HiddenSize}).", nameof(TieWeights));
        }
    }
}
