using System.Text.Json;
using Recurrent.Models;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

/// <summary>
/// Weights and logits written by PyTorch (Golden/make_golden.py: nn.Embedding → nn.LSTM/nn.GRU/nn.RNN →
/// nn.Linear, seed 1234, state_dict saved as safetensors) load here and reproduce PyTorch's logits.
/// </summary>
public class PyTorchGoldenTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void A_pytorch_state_dict_loads_and_reproduces_the_pytorch_logits(string name)
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "Serialization", "Golden");
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, name + ".json")));
        JsonElement root = golden.RootElement;
        var options = new RecurrentModelOptions
        {
            Cell = Enum.Parse<CellKind>(root.GetProperty("cell").GetString()!),
            VocabularySize = root.GetProperty("vocabularySize").GetInt32(),
            EmbeddingSize = root.GetProperty("embeddingSize").GetInt32(),
            HiddenSize = root.GetProperty("hiddenSize").GetInt32(),
            Layers = root.GetProperty("layers").GetInt32(),
            TieWeights = root.GetProperty("tieWeights").GetBoolean(),
            UseBias = root.GetProperty("useBias").GetBoolean(),
        };
        int[][] rows = root.GetProperty("tokens").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        int batch = rows[0].Length;
        int[] tokens = rows.SelectMany(r => r).ToArray();
        float[] expectedLogits = Floats(root.GetProperty("logits"));
        float[] expectedHidden = Floats(root.GetProperty("hn"));

        IRecurrentModel model = ModelFile.LoadStateDict(Path.Combine(directory, name + ".safetensors"), options);
        (float[] logits, RecurrentState state) = ModelFileTestModels.Run(model, tokens, batch);

        Assert.Equal(expectedLogits.Length, logits.Length);
        Assert.True(MaxAbsDiff(expectedLogits, logits) <= 1e-5f, $"logits differ by {MaxAbsDiff(expectedLogits, logits)}");
        Assert.True(MaxAbsDiff(expectedHidden, state.AllHidden.ToArray()) <= 1e-5f, "final hidden states differ");
        if (root.TryGetProperty("cn", out JsonElement cn))
        {
            Assert.True(MaxAbsDiff(Floats(cn), state.AllCell.ToArray()) <= 1e-5f, "final cell states differ");
        }
    }

    internal static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
}
