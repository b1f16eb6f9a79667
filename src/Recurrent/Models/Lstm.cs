namespace Recurrent.Models;

/// <summary>
/// A recurrent language model with an LSTM language model (PyTorch's nn.LSTM; gates i, f, g, o):
/// <c>Embedding → L × Lstm layers → Linear → softmax</c>. See <see cref="IRecurrentModel"/> for the contract.
/// </summary>
/// <remarks>
/// The <see cref="RecurrentModelOptions.Cell"/> of the given options is replaced by <see cref="CellKind.Lstm"/>: the
/// class picks the cell. Use <see cref="RecurrentModel.Create"/> to pick it from the options instead.
/// </remarks>
public sealed class Lstm : IRecurrentModel
{
    /// <summary>Creates the model and initialises its parameters from <see cref="RecurrentModelOptions.Seed"/>.</summary>
    /// <param name="options">The model shape and initialisation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Weight tying is requested while EmbeddingSize ≠ HiddenSize.</exception>
    public Lstm(RecurrentModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Core = new RecurrentLanguageModel(options with { Cell = CellKind.Lstm });
    }

    /// <inheritdoc />
    public RecurrentModelOptions Options => Core.Options;

    /// <inheritdoc />
    public IReadOnlyList<ParameterTensor> Tensors => Core.Tensors;

    /// <inheritdoc />
    public int ParameterCount => Core.ParameterCount;

    /// <inheritdoc />
    public Span<float> Parameters => Core.Parameters;

    /// <inheritdoc />
    public Span<float> Gradients => Core.Gradients;

    /// <summary>Gets the shared implementation.</summary>
    internal RecurrentLanguageModel Core { get; }

    /// <inheritdoc />
    public RecurrentState CreateState(int batchSize) => Core.CreateState(batchSize);

    /// <inheritdoc />
    public LossSum Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, RecurrentState state, ForwardMode mode, Random? random = null) =>
        Core.Forward(inputs, targets, mask, state, mode, random);

    /// <inheritdoc />
    public void Backward() => Core.Backward();

    /// <inheritdoc />
    public void ZeroGradients() => Core.ZeroGradients();

    /// <inheritdoc />
    public void Step(ReadOnlySpan<int> tokenIds, RecurrentState state, Span<float> logits) => Core.Step(tokenIds, state, logits);
}
