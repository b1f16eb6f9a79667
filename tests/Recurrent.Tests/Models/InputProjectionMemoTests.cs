using Recurrent.Models;

namespace Recurrent.Tests.Models;

/// <summary>
/// The batch-1 memo of the first layer's input projection (character-level models): a step that reads a stored row
/// gives the same bits as one that computes it, and the memo is offered only where its table is no larger than W_ih.
/// </summary>
public sealed class InputProjectionMemoTests
{
    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void Step_WithMemo_SameBitsAsWithout(CellKind cell)
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 20, EmbeddingSize = 32, HiddenSize = 24, Layers = 2, Cell = cell, Seed = 5 });
        RecurrentLanguageModel core = RecurrentModel.GetCore(model)!;
        InputProjectionMemo? memo = core.CreateInputProjectionMemo();
        Assert.NotNull(memo);

        RecurrentState plain = model.CreateState(1), memoized = model.CreateState(1);
        float[] expected = new float[20], actual = new float[20];
        int[] ids = [3, 7, 3, 3, 19, 0, 7, 12, 3, 0, 19, 5];
        foreach (int id in ids)
        {
            model.Step([id], plain, expected);
            core.Step([id], memoized, actual, memo);
            Assert.Equal(expected, actual);
        }

        Assert.Equal(ids.Distinct().Count(), memo.FilledCount);
    }

    [Fact]
    public void Step_WithMemo_BatchAboveOneComputesAsUsual()
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = 10, EmbeddingSize = 16, HiddenSize = 8, Layers = 1, Cell = CellKind.Lstm, Seed = 2 });
        RecurrentLanguageModel core = RecurrentModel.GetCore(model)!;
        InputProjectionMemo memo = core.CreateInputProjectionMemo()!;
        RecurrentState plain = model.CreateState(2), memoized = model.CreateState(2);
        float[] expected = new float[20], actual = new float[20];
        model.Step([1, 2], plain, expected);
        core.Step([1, 2], memoized, actual, memo);
        Assert.Equal(expected, actual);
        Assert.Equal(0, memo.FilledCount);
    }

    [Theory]
    [InlineData(4000, 128)] // word level: the table [V, G·H] would be larger than W_ih
    [InlineData(65, 0)]     // one-hot input: W_ih·x is already a column read
    public void CreateInputProjectionMemo_OnlyWhereTheTableIsNoLargerThanTheWeight(int vocabulary, int embedding)
    {
        IRecurrentModel model = RecurrentModel.Create(new RecurrentModelOptions { VocabularySize = vocabulary, EmbeddingSize = embedding, HiddenSize = 16, Layers = 1, Cell = CellKind.Lstm });
        Assert.Null(RecurrentModel.GetCore(model)!.CreateInputProjectionMemo());
    }
}
