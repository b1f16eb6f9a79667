using Recurrent.Models;

namespace Recurrent.Cli;

/// <summary>The resolved settings of a <c>train</c> run: the user's options over the defaults of the level.</summary>
internal sealed record TrainSettings
{
    /// <summary>Gets "word" or "char".</summary>
    public required string Level { get; init; }

    public required CellKind Cell { get; init; }

    public required int Hidden { get; init; }

    /// <summary>Gets the embedding size; 0 means one-hot inputs (the original word model).</summary>
    public required int Embedding { get; init; }

    public required int Layers { get; init; }

    public required double Dropout { get; init; }

    /// <summary>Gets the maximum vocabulary size, specials included; null for every token seen.</summary>
    public required int? VocabularySize { get; init; }

    public required int Epochs { get; init; }

    /// <summary>Gets the step budget; 0 for none (the epochs decide).</summary>
    public required int MaxSteps { get; init; }

    public required int Batch { get; init; }

    /// <summary>Gets the window length T (char level) or the longest sentence in steps (word level; longer ones are cut).</summary>
    public required int Bptt { get; init; }

    public required string Optimizer { get; init; }

    public required double LearningRate { get; init; }

    /// <summary>Gets "constant" or "cosine" (decay to a twentieth of the rate over the planned steps).</summary>
    public required string Schedule { get; init; }

    public required double Clip { get; init; }

    public required int Seed { get; init; }

    public required double ValidationFraction { get; init; }

    /// <summary>Gets the steps between evaluations; 0 picks about ten evaluations per run.</summary>
    public required int EvaluateEvery { get; init; }

    /// <summary>Gets whether this is a character-level run.</summary>
    public bool IsChar => Level == "char";

    /// <summary>The word-level defaults: the original reddit model (vanilla RNN, 100 hidden units, one-hot word inputs,
    /// a 4,000-word vocabulary with SENTENCE_START, SENTENCE_END and UNKNOWN_TOKEN), trained with Adam on
    /// length-bucketed batches of sentences so that it learns within minutes.</summary>
    public static TrainSettings WordDefaults { get; } = new()
    {
        Level = "word",
        Cell = CellKind.Rnn,
        Hidden = 100,
        Embedding = 0,
        Layers = 1,
        Dropout = 0,
        VocabularySize = 4000,
        Epochs = 1,
        MaxSteps = 0,
        Batch = 16,
        Bptt = 50,
        Optimizer = "adam",
        LearningRate = 0.003,
        Schedule = "constant",
        Clip = 5,
        Seed = 1,
        ValidationFraction = 0.05,
        EvaluateEvery = 0,
    };

    /// <summary>The character-level defaults: TFLearn's shakespeare generator (stacked LSTMs with dropout, Adam,
    /// gradient clipping at 5, 25-character windows), scaled from 3 × 512 units to 2 × 128 so it runs in minutes.</summary>
    public static TrainSettings CharDefaults { get; } = WordDefaults with
    {
        Level = "char",
        Cell = CellKind.Lstm,
        Hidden = 128,
        Embedding = 32,
        Layers = 2,
        Dropout = 0.2,
        VocabularySize = null,
        Batch = 32,
        Bptt = 25,
        LearningRate = 0.003,
    };

    /// <summary>The defaults of the built-in corpus run (no <c>--data</c>): a small LSTM that gets close to the
    /// grammar's entropy in about a minute on two cores.</summary>
    public static TrainSettings ToyDefaults { get; } = WordDefaults with
    {
        Cell = CellKind.Lstm,
        Hidden = 128,
        Embedding = 64,
        VocabularySize = null,
        Epochs = 2,
        Batch = 32,
        LearningRate = 0.005,
        Schedule = "cosine",
        ValidationFraction = 0,
    };
}
