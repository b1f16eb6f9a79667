using System.Runtime.InteropServices;
using Recurrent.Models;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = ModelFileTestModels.TempDirectory();

    public static TheoryData<string> Names => ModelFileTestModels.Names;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(Names))]
    public void Save_then_load_is_bit_exact_and_predicts_the_same(string name)
    {
        IRecurrentModel model = ModelFileTestModels.Create(name);
        string path = Path.Combine(_directory, name + ".safetensors");
        ModelFile.Save(path, model);

        ModelFile loaded = ModelFile.Load(path);

        Assert.Equal(model.Options, loaded.Model.Options);
        Assert.Equal(model.Tensors, loaded.Model.Tensors);
        Assert.Equal(MemoryMarshal.AsBytes(model.Parameters).ToArray(), MemoryMarshal.AsBytes(loaded.Model.Parameters).ToArray());
        Assert.Empty(loaded.MissingTensors);
        Assert.Empty(loaded.IgnoredTensors);
        Assert.Equal(ModelFile.FormatName, loaded.Metadata["recurrent.format"]);

        int[] tokens = ModelFileTestModels.Tokens(model.Options.VocabularySize, 12, seed: 3);
        Assert.Equal(ModelFileTestModels.Run(model, tokens, 2).Logits, ModelFileTestModels.Run(loaded.Model, tokens, 2).Logits);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_model_gives_identical_bytes(string name)
    {
        byte[] first = ModelFile.ToBytes(ModelFileTestModels.Create(name));
        byte[] second = ModelFile.ToBytes(ModelFileTestModels.Create(name));
        Assert.Equal(first, second);

        string path = Path.Combine(_directory, "a.safetensors");
        ModelFile.Save(path, ModelFileTestModels.Create(name));
        Assert.Equal(first, File.ReadAllBytes(path));
        ModelFile.Save(path, ModelFile.Load(path).Model);
        Assert.Equal(first, File.ReadAllBytes(path));
    }

    [Fact]
    public void Saved_files_are_state_dicts_with_pytorch_names_and_shapes()
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm-tied");
        using var reader = SafeTensorsReader.FromBytes(ModelFile.ToBytes(model));
        Assert.Equal(
            new[] { "decoder.bias", "decoder.weight", "encoder.weight", "rnn.bias_hh_l0", "rnn.bias_ih_l0", "rnn.weight_hh_l0", "rnn.weight_ih_l0" },
            reader.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 20, 5 }, reader.Get("rnn.weight_ih_l0").Shape);
        Assert.Equal(reader.ReadSingle("encoder.weight"), reader.ReadSingle("decoder.weight"));
        Assert.Equal("1", reader.GetMetadata("recurrent.format_version"));
        Assert.Contains("\"cell\":\"Lstm\"", reader.GetMetadata("recurrent.options"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_rejected_unless_partial_loading_is_requested()
    {
        IRecurrentModel model = ModelFileTestModels.Create("gru");
        SafeTensorsWriter writer = Rewrite(model, skip: "rnn.weight_hh_l1");
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("rnn.weight_hh_l1", e.Message, StringComparison.Ordinal);

        ModelFile partial = Read(writer, new ModelFileLoadOptions { AllowMissingTensors = true });
        Assert.Equal(new[] { "rnn.weight_hh_l1" }, partial.MissingTensors);
        ParameterTensor kept = model.Tensors.Single(t => t.Name == "rnn.weight_ih_l1");
        Assert.Equal(model.Parameters.Slice(kept.Offset, kept.Length).ToArray(), partial.Model.Parameters.Slice(kept.Offset, kept.Length).ToArray());
    }

    [Fact]
    public void An_unknown_tensor_is_rejected_unless_ignored()
    {
        SafeTensorsWriter writer = Rewrite(ModelFileTestModels.Create("rnn"));
        writer.Add("rnn.weight_ih_l2", new float[] { 1 }, 1);
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("rnn.weight_ih_l2", e.Message, StringComparison.Ordinal);

        ModelFile loaded = Read(writer, new ModelFileLoadOptions { IgnoreUnknownTensors = true });
        Assert.Equal(new[] { "rnn.weight_ih_l2" }, loaded.IgnoredTensors);
    }

    [Fact]
    public void A_shape_or_dtype_mismatch_is_rejected_naming_the_tensor()
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm");
        SafeTensorsWriter writer = Rewrite(model, skip: "decoder.bias");
        writer.Add("decoder.bias", new float[11], 11);
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("'decoder.bias' has shape [11], expected [10]", e.Message, StringComparison.Ordinal);

        writer = Rewrite(model, skip: "decoder.bias");
        writer.Add("decoder.bias", new float[10], 2, 5);
        e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("decoder.bias", e.Message, StringComparison.Ordinal);

        writer = Rewrite(model, skip: "decoder.bias");
        writer.Add("decoder.bias", new double[10], 10);
        e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("'decoder.bias' has dtype F64", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_weights_are_reported_unless_allowed(float bad)
    {
        IRecurrentModel model = ModelFileTestModels.Create("rnn");
        ParameterTensor tensor = model.Tensors.Single(t => t.Name == "rnn.weight_hh_l1");
        model.Parameters[tensor.Offset + 3] = bad;
        byte[] bytes = ModelFile.ToBytes(model);

        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Read(SafeTensorsReader.FromBytes(bytes), ModelFileLoadOptions.Strict));
        Assert.Contains("'rnn.weight_hh_l1' holds a non-finite value", e.Message, StringComparison.Ordinal);
        Assert.Contains("element 3", e.Message, StringComparison.Ordinal);

        ModelFile loaded = ModelFile.Read(SafeTensorsReader.FromBytes(bytes), new ModelFileLoadOptions { AllowNonFiniteValues = true });
        Assert.Equal(bad, loaded.Model.Parameters[tensor.Offset + 3]);
    }

    [Fact]
    public void Tied_copies_that_differ_are_rejected()
    {
        IRecurrentModel model = ModelFileTestModels.Create("gru-tied");
        SafeTensorsWriter writer = Rewrite(model, skip: "decoder.weight");
        writer.Add("decoder.weight", new float[9 * 6], 9, 6);
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("decoder.weight", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadMetadata => new()
    {
        { "recurrent.format", "something-else", "recurrent.format" },
        { "recurrent.format_version", "2", "format version" },
        { "recurrent.options", "{\"cell\":\"Lstm\"", "options" },
        { "recurrent.options", "[]", "options" },
        { "recurrent.options", "{\"cell\":\"Tree\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "'cell'" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":-10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "VocabularySize" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1}", "'seed'" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4,\"extra\":0}", "'extra'" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":\"0\",\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "'dropout'" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":1e99}", "'seed'" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":7,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "expected [28, 6]" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":2000000000,\"embeddingSize\":2000000000,\"hiddenSize\":5,\"layers\":2,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "encoder.weight" },
        { "recurrent.options", "{\"cell\":\"Lstm\",\"vocabularySize\":10,\"embeddingSize\":6,\"hiddenSize\":5,\"layers\":3,\"tieWeights\":false,\"useBias\":true,\"dropout\":0,\"initRange\":0,\"forgetGateBias\":1,\"seed\":4}", "rnn.weight_ih_l2" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public void Bad_metadata_is_InvalidDataException_naming_the_field(string key, string value, string mentioned)
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm");
        SafeTensorsWriter writer = Rewrite(model, replaceKey: key, replaceValue: value);
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_metadata_is_rejected()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("encoder.weight", new float[4], 2, 2);
        var e = Assert.Throws<InvalidDataException>(() => Read(writer));
        Assert.Contains("recurrent.format", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncating_a_model_file_anywhere_is_InvalidDataException()
    {
        byte[] bytes = ModelFile.ToBytes(ModelFileTestModels.Create("lstm-tied"));
        for (int length = 0; length < bytes.Length; length += 7)
        {
            string path = Path.Combine(_directory, "t.safetensors");
            File.WriteAllBytes(path, bytes[..length]);
            Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        }
    }

    /// <summary>Copies a model's file into a writer, optionally leaving out a tensor or replacing a metadata value.</summary>
    private static SafeTensorsWriter Rewrite(IRecurrentModel model, string? skip = null, string? replaceKey = null, string? replaceValue = null)
    {
        using var reader = SafeTensorsReader.FromBytes(ModelFile.ToBytes(model));
        var writer = new SafeTensorsWriter();
        foreach ((string key, string value) in reader.Metadata)
        {
            writer.AddMetadata(key, key == replaceKey ? replaceValue! : value);
        }

        foreach (SafeTensorInfo info in reader.Tensors.Where(t => t.Name != skip))
        {
            writer.Add(info.Name, reader.ReadSingle(info.Name), info.Shape.ToArray());
        }

        return writer;
    }

    private static ModelFile Read(SafeTensorsWriter writer, ModelFileLoadOptions? options = null)
    {
        using var reader = SafeTensorsReader.FromBytes(writer.ToArray());
        return ModelFile.Read(reader, options ?? ModelFileLoadOptions.Strict);
    }
}
