using Recurrent.Models;

namespace Recurrent.Tests.Serialization;

/// <summary>Small seeded models of every shape the file format must carry.</summary>
internal static class ModelFileTestModels
{
    public static TheoryData<string> Names => new(Cases.Keys);

    public static IReadOnlyDictionary<string, RecurrentModelOptions> Cases { get; } = new Dictionary<string, RecurrentModelOptions>
    {
        ["rnn"] = new() { Cell = CellKind.Rnn, VocabularySize = 9, EmbeddingSize = 4, HiddenSize = 5, Layers = 2, Seed = 1 },
        ["rnn-one-hot"] = new() { Cell = CellKind.Rnn, VocabularySize = 7, EmbeddingSize = 0, HiddenSize = 4, Seed = 2 },
        ["rnn-tied"] = new() { Cell = CellKind.Rnn, VocabularySize = 8, EmbeddingSize = 4, HiddenSize = 4, TieWeights = true, Seed = 3 },
        ["lstm"] = new() { Cell = CellKind.Lstm, VocabularySize = 10, EmbeddingSize = 6, HiddenSize = 5, Layers = 2, Seed = 4, ForgetGateBias = 1f },
        ["lstm-tied"] = new() { Cell = CellKind.Lstm, VocabularySize = 10, EmbeddingSize = 5, HiddenSize = 5, TieWeights = true, Dropout = 0.25f, Seed = 5 },
        ["lstm-no-bias"] = new() { Cell = CellKind.Lstm, VocabularySize = 6, EmbeddingSize = 3, HiddenSize = 4, UseBias = false, Seed = 6 },
        ["gru"] = new() { Cell = CellKind.Gru, VocabularySize = 12, EmbeddingSize = 5, HiddenSize = 6, Layers = 3, Seed = 7, InitRange = 0.3f },
        ["gru-tied"] = new() { Cell = CellKind.Gru, VocabularySize = 9, EmbeddingSize = 6, HiddenSize = 6, TieWeights = true, Seed = 8 },
        ["gru-one-hot"] = new() { Cell = CellKind.Gru, VocabularySize = 5, EmbeddingSize = 0, HiddenSize = 3, Layers = 2, Seed = 9 },
    };

    public static IRecurrentModel Create(string name) => RecurrentModel.Create(Cases[name]);

    /// <summary>Runs the model over a time-major [T, B] token grid with Step, returning logits [T, B, V] and the final state.</summary>
    public static (float[] Logits, RecurrentState State) Run(IRecurrentModel model, int[] tokens, int batch)
    {
        int steps = tokens.Length / batch;
        int v = model.Options.VocabularySize;
        RecurrentState state = model.CreateState(batch);
        float[] logits = new float[steps * batch * v];
        for (int t = 0; t < steps; t++)
        {
            model.Step(tokens.AsSpan(t * batch, batch), state, logits.AsSpan(t * batch * v, batch * v));
        }

        return (logits, state);
    }

    public static int[] Tokens(int vocabulary, int count, int seed)
    {
        var random = new DeterministicRandom(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocabulary)).ToArray();
    }

    public static string TempDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "recurrent-ser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
