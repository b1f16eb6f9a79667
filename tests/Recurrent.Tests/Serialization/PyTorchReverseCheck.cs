using System.Text.Json;
using Recurrent.Models;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

/// <summary>
/// The reverse direction of the PyTorch golden test: writes our model files plus our logits so that
/// <c>Golden/make_golden.py --check DIR</c> can load them into PyTorch with <c>load_state_dict(strict=True)</c>
/// and compare. Needs PyTorch, so it only runs when RECURRENT_TORCH_CHECK_DIR names an output directory.
/// </summary>
public class PyTorchReverseCheck
{
    [Fact]
    public void Write_files_for_the_pytorch_side_check()
    {
        string? directory = Environment.GetEnvironmentVariable("RECURRENT_TORCH_CHECK_DIR");
        if (string.IsNullOrEmpty(directory))
        {
            Assert.Skip("Set RECURRENT_TORCH_CHECK_DIR and then run Golden/make_golden.py --check on it (needs PyTorch).");
        }

        Directory.CreateDirectory(directory);
        foreach (string name in new[] { "lstm", "lstm-tied", "lstm-no-bias", "gru", "gru-tied", "rnn", "rnn-tied" })
        {
            IRecurrentModel model = ModelFileTestModels.Create(name);
            const int Batch = 2;
            int[] tokens = ModelFileTestModels.Tokens(model.Options.VocabularySize, 7 * Batch, seed: 21);
            (float[] logits, _) = ModelFileTestModels.Run(model, tokens, Batch);
            ModelFile.Save(Path.Combine(directory, name + ".safetensors"), model);
            int[][] grid = tokens.Chunk(Batch).ToArray();
            File.WriteAllText(
                Path.Combine(directory, name + ".expected.json"),
                JsonSerializer.Serialize(new Dictionary<string, object> { ["tokens"] = grid, ["logits"] = logits.Select(x => (double)x).ToArray() }));
            Assert.True(File.Exists(Path.Combine(directory, name + ".safetensors")));
        }
    }
}
