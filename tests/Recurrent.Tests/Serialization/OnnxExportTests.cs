using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recurrent.Models;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

/// <summary>The exported ONNX graph, run in ONNX Runtime, gives our logits and states (max abs difference ≤ 1e-4).</summary>
public class OnnxExportTests
{
    public static TheoryData<string> Names => ModelFileTestModels.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Onnx_runtime_reproduces_our_logits_over_a_window(string name)
    {
        IRecurrentModel model = ModelFileTestModels.Create(name);
        const int Steps = 6, Batch = 3;
        int[] tokens = ModelFileTestModels.Tokens(model.Options.VocabularySize, Steps * Batch, seed: 11);
        (float[] expected, RecurrentState state) = ModelFileTestModels.Run(model, tokens, Batch);

        using var session = new InferenceSession(Export(model));
        using var results = session.Run(Inputs(model, tokens, Steps, Batch, null, null));

        float[] logits = results.Single(r => r.Name == "logits").AsTensor<float>().ToArray();
        float diff = PyTorchGoldenTests.MaxAbsDiff(expected, logits);
        Assert.True(diff <= 1e-4f, $"logits differ by {diff}");
        Assert.True(PyTorchGoldenTests.MaxAbsDiff(state.AllHidden.ToArray(), results.Single(r => r.Name == "hn").AsTensor<float>().ToArray()) <= 1e-4f);
        if (model.Options.Cell == CellKind.Lstm)
        {
            Assert.True(PyTorchGoldenTests.MaxAbsDiff(state.AllCell.ToArray(), results.Single(r => r.Name == "cn").AsTensor<float>().ToArray()) <= 1e-4f);
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void The_exported_graph_can_be_stepped_by_feeding_the_state_back(string name)
    {
        IRecurrentModel model = ModelFileTestModels.Create(name);
        const int Steps = 5;
        int[] tokens = ModelFileTestModels.Tokens(model.Options.VocabularySize, Steps, seed: 5);
        (float[] expected, _) = ModelFileTestModels.Run(model, tokens, 1);
        int v = model.Options.VocabularySize;

        using var session = new InferenceSession(Export(model));
        float[]? h = null, c = null;
        for (int t = 0; t < Steps; t++)
        {
            using var results = session.Run(Inputs(model, tokens[t..(t + 1)], 1, 1, h, c));
            float[] logits = results.Single(r => r.Name == "logits").AsTensor<float>().ToArray();
            Assert.True(PyTorchGoldenTests.MaxAbsDiff(expected[(t * v)..((t + 1) * v)], logits) <= 1e-4f, $"step {t}");
            h = results.Single(r => r.Name == "hn").AsTensor<float>().ToArray();
            c = model.Options.Cell == CellKind.Lstm ? results.Single(r => r.Name == "cn").AsTensor<float>().ToArray() : null;
        }
    }

    [Fact]
    public void Save_writes_the_same_bytes_as_Write()
    {
        IRecurrentModel model = ModelFileTestModels.Create("gru-tied");
        string directory = ModelFileTestModels.TempDirectory();
        try
        {
            string path = Path.Combine(directory, "model.onnx");
            OnnxExport.Save(model, path);
            Assert.Equal(Export(model), File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Export(IRecurrentModel model)
    {
        using var stream = new MemoryStream();
        OnnxExport.Write(model, stream);
        return stream.ToArray();
    }

    private static List<NamedOnnxValue> Inputs(IRecurrentModel model, int[] tokens, int steps, int batch, float[]? h, float[]? c)
    {
        int layers = model.Options.Layers, hidden = model.Options.HiddenSize;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<long>(tokens.Select(x => (long)x).ToArray(), [steps, batch])),
            NamedOnnxValue.CreateFromTensor("h0", new DenseTensor<float>(h ?? new float[layers * batch * hidden], [layers, batch, hidden])),
        };
        if (model.Options.Cell == CellKind.Lstm)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("c0", new DenseTensor<float>(c ?? new float[layers * batch * hidden], [layers, batch, hidden])));
        }

        return inputs;
    }
}
