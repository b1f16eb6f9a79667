using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class TrainValidationSplitTests
{
    [Fact]
    public void Split_is_a_deterministic_partition_that_keeps_order()
    {
        int[] items = [.. Enumerable.Range(0, 100)];
        var (train, valid) = TrainValidationSplit.Split(items, 0.2, seed: 5);
        var (train2, valid2) = TrainValidationSplit.Split(items, 0.2, seed: 5);
        var (_, valid3) = TrainValidationSplit.Split(items, 0.2, seed: 6);
        Assert.Equal(20, valid.Count);
        Assert.Equal(80, train.Count);
        Assert.Equal(items, train.Concat(valid).Order());
        Assert.Equal(valid, valid2);
        Assert.Equal(train, train2);
        Assert.NotEqual(valid, valid3);
        Assert.Equal(valid.Order(), valid);
    }

    [Fact]
    public void Small_inputs_keep_one_item_on_each_side_and_bad_fractions_throw()
    {
        var (train, valid) = TrainValidationSplit.Split(new[] { "a", "b" }, 0.01, 1);
        Assert.Single(train);
        Assert.Single(valid);
        Assert.Empty(TrainValidationSplit.Split(new[] { 1, 2 }, 0, 1).Validation);
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainValidationSplit.Split(new[] { 1 }, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainValidationSplit.Split(new[] { 1 }, double.NaN, 1));
        Assert.Throws<ArgumentNullException>(() => TrainValidationSplit.Split<int>(null!, 0.1, 1));
    }
}
