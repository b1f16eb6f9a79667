namespace Recurrent.Models;

/// <summary>Creates recurrent language models from options.</summary>
public static class RecurrentModel
{
    /// <summary>
    /// Creates a <see cref="VanillaRnn"/>, <see cref="Lstm"/> or <see cref="Gru"/> according to
    /// <see cref="RecurrentModelOptions.Cell"/>, with parameters initialised from <see cref="RecurrentModelOptions.Seed"/>.
    /// </summary>
    /// <param name="options">The model shape and initialisation.</param>
    /// <returns>A new model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Weight tying is requested while EmbeddingSize ≠ HiddenSize.</exception>
    public static IRecurrentModel Create(RecurrentModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Cell switch
        {
            CellKind.Rnn => new VanillaRnn(options),
            CellKind.Lstm => new Lstm(options),
            CellKind.Gru => new Gru(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Cell, "Unknown cell kind."),
        };
    }

    /// <summary>Gets the shared implementation behind a model created here (for tests and tools), or null.</summary>
    internal static RecurrentLanguageModel? GetCore(IRecurrentModel model) => model switch
    {
        VanillaRnn m => m.Core,
        Lstm m => m.Core,
        Gru m => m.Core,
        RecurrentLanguageModel m => m,
        _ => null,
    };
}
