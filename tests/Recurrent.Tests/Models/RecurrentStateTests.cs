using Recurrent.Models;

namespace Recurrent.Tests.Models;

public class RecurrentStateTests
{
    [Fact]
    public void Lanes_reset_independently_and_clone_is_deep()
    {
        var s = new RecurrentState(layers: 2, batchSize: 3, hiddenSize: 4, hasCellState: true);
        s.AllHidden.Fill(1f);
        s.AllCell.Fill(2f);
        var copy = s.Clone();
        s.Reset(1);
        for (int l = 0; l < 2; l++)
        {
            Assert.Equal([1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f], s.Hidden(l).ToArray());
            Assert.Equal([2f, 2f, 2f, 2f, 0f, 0f, 0f, 0f, 2f, 2f, 2f, 2f], s.Cell(l).ToArray());
        }

        Assert.All(copy.AllHidden.ToArray(), v => Assert.Equal(1f, v));
        s.Reset();
        Assert.All(s.AllCell.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Misuse_throws()
    {
        var s = new RecurrentState(1, 2, 3, hasCellState: false);
        Assert.Throws<InvalidOperationException>(() => s.Cell(0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Hidden(1).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Reset(2));
        Assert.Throws<ArgumentException>(() => s.CopyTo(new RecurrentState(1, 2, 4, false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentState(0, 1, 1, false));
    }
}
