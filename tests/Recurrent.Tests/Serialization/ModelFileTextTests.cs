using Recurrent.Models;
using Recurrent.Serialization;
using Recurrent.Text;

namespace Recurrent.Tests.Serialization;

public sealed class ModelFileTextTests : IDisposable
{
    private readonly string _directory = ModelFileTestModels.TempDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A vocabulary of exactly <paramref name="size"/> tokens, including non-ASCII and JSON-special text.</summary>
    internal static Vocabulary Vocabulary(int size)
    {
        string[] words = ["the", "é", "日本", "\"q\"", "back\\slash", "new\nline", "<tag>", "😀", "a", "b", "c", "d", "e", "f"];
        var tokens = new List<string>();
        for (int i = 0; i < size - 1; i++)
        {
            tokens.AddRange(Enumerable.Repeat(words[i], size - i));
        }

        return global::Recurrent.Text.Vocabulary.Build(tokens, new VocabularyOptions { SpecialTokens = SpecialTokens.Default, MaxSize = size });
    }

    [Fact]
    public void Vocabulary_and_tokenizer_round_trip_through_the_metadata()
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm");
        Vocabulary vocabulary = Vocabulary(model.Options.VocabularySize);
        Assert.Equal(model.Options.VocabularySize, vocabulary.Count);
        var tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true, SplitContractions = false });
        string path = Path.Combine(_directory, "m.safetensors");

        ModelFile.Save(path, model, vocabulary, tokenizer);
        ModelFile loaded = ModelFile.Load(path);

        Assert.NotNull(loaded.Vocabulary);
        Assert.Equal(vocabulary.ToJson(), loaded.Vocabulary.ToJson());
        Assert.NotNull(loaded.Tokenizer);
        Assert.Equal(tokenizer.Describe().ToString(), loaded.Tokenizer.Describe().ToString());
        Assert.Equal(tokenizer.Tokenize("Don't STOP, the end."), loaded.Tokenizer.Tokenize("Don't STOP, the end."));
        Assert.Equal(ModelFile.ToBytes(model, vocabulary, tokenizer), File.ReadAllBytes(path));
    }

    [Fact]
    public void Files_without_text_load_with_null_vocabulary_and_tokenizer()
    {
        IRecurrentModel model = ModelFileTestModels.Create("gru");
        ModelFile loaded = ModelFile.Read(SafeTensorsReader.FromBytes(ModelFile.ToBytes(model)), ModelFileLoadOptions.Strict);
        Assert.Null(loaded.Vocabulary);
        Assert.Null(loaded.Tokenizer);
    }

    [Fact]
    public void A_vocabulary_of_the_wrong_size_is_rejected_on_save_and_on_load()
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm");
        Assert.Throws<ArgumentException>(() => ModelFile.Save(Path.Combine(_directory, "x"), model, Vocabulary(5)));
        Assert.Empty(Directory.GetFiles(_directory));

        byte[] bytes = Replace(ModelFile.ToBytes(model, Vocabulary(10)), ModelFile.VocabularyKey, Vocabulary(7).ToJson());
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Read(SafeTensorsReader.FromBytes(bytes), ModelFileLoadOptions.Strict));
        Assert.Contains("vocabulary", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelFile.VocabularyKey, "{not json", "vocabulary")]
    [InlineData(ModelFile.VocabularyKey, "{\"format\":\"other\"}", "vocabulary")]
    [InlineData(ModelFile.TokenizerKey, "{\"kind\":\"bpe\",\"settings\":{}}", "tokenizer")]
    [InlineData(ModelFile.TokenizerKey, "{\"kind\":\"word\",\"settings\":{\"lowerCase\":\"maybe\"}}", "tokenizer")]
    [InlineData(ModelFile.TokenizerKey, "{\"kind\":\"word\",\"settings\":{\"lowerCase\":true}}", "lowerCase")]
    [InlineData(ModelFile.TokenizerKey, "{\"kind\":\"word\"}", "tokenizer")]
    [InlineData(ModelFile.TokenizerKey, "[", "tokenizer")]
    public void Bad_text_metadata_is_InvalidDataException(string key, string value, string mentioned)
    {
        IRecurrentModel model = ModelFileTestModels.Create("lstm");
        byte[] bytes = Replace(ModelFile.ToBytes(model, Vocabulary(10), new CharTokenizer()), key, value);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Read(SafeTensorsReader.FromBytes(bytes), ModelFileLoadOptions.Strict));
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    private static byte[] Replace(byte[] file, string key, string value)
    {
        using var reader = SafeTensorsReader.FromBytes(file);
        var writer = new SafeTensorsWriter();
        foreach ((string k, string v) in reader.Metadata)
        {
            writer.AddMetadata(k, k == key ? value : v);
        }

        foreach (SafeTensorInfo info in reader.Tensors)
        {
            writer.Add(info.Name, reader.ReadSingle(info.Name), info.Shape.ToArray());
        }

        return writer.ToArray();
    }
}
