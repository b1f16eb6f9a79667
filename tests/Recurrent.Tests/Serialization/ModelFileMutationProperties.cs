using FsCheck;
using FsCheck.Xunit;
using Recurrent.Models;
using Recurrent.Serialization;

namespace Recurrent.Tests.Serialization;

public class ModelFileMutationProperties
{
    private static readonly byte[] s_lstm = ModelFile.ToBytes(
        ModelFileTestModels.Create("lstm-tied"), ModelFileTextTests.Vocabulary(10), new global::Recurrent.Text.WordTokenizer());
    private static readonly byte[] s_gru = ModelFile.ToBytes(ModelFileTestModels.Create("gru-one-hot"));

    /// <summary>
    /// A randomly mutated model file either loads into a valid model (its tensors match its options and its
    /// weights are finite) or throws <see cref="InvalidDataException"/>; never another exception.
    /// </summary>
    [Property(MaxTest = 200)]
    public void Mutated_model_files_load_a_valid_model_or_throw_InvalidDataException(int seed, bool gru)
    {
        byte[] file = SafeTensorsMutationProperties.Mutate(gru ? s_gru : s_lstm, new DeterministicRandom(seed));
        ModelFile loaded;
        try
        {
            using var reader = SafeTensorsReader.FromBytes(file);
            loaded = ModelFile.Read(reader, ModelFileLoadOptions.Strict);
        }
        catch (InvalidDataException)
        {
            return;
        }

        IRecurrentModel model = loaded.Model;
        model.Options.Validate();
        Assert.Equal(RecurrentModel.Create(model.Options).Tensors, model.Tensors);
        foreach (float value in model.Parameters)
        {
            Assert.True(float.IsFinite(value));
        }

        float[] logits = new float[model.Options.VocabularySize];
        model.Step([0], model.CreateState(1), logits);
    }
}
