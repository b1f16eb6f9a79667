namespace Recurrent.Tests;

public class DeterministicRandomTests
{
    [Fact]
    public void Same_seed_gives_same_sequence_and_state_round_trips()
    {
        var a = new DeterministicRandom(42);
        var b = new DeterministicRandom(42);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }

        ulong[] state = a.GetState();
        double[] expected = Enumerable.Range(0, 10).Select(_ => a.NextDouble()).ToArray();
        var c = new DeterministicRandom(7);
        c.SetState(state);
        double[] actual = Enumerable.Range(0, 10).Select(_ => c.NextDouble()).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Bounded_values_stay_in_range_and_cover_it()
    {
        var r = new DeterministicRandom(1);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++)
        {
            int v = r.Next(3, 10);
            Assert.InRange(v, 3, 9);
            seen[v - 3]++;
        }

        // Each of the 7 values is expected 1000 times; a fair generator stays far inside ±20 %.
        Assert.All(seen, count => Assert.InRange(count, 800, 1200));
        double d = r.NextDouble();
        Assert.InRange(d, 0.0, 1.0 - double.Epsilon);
        Assert.InRange(r.NextSingle(), 0f, 0.99999994f);
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        var r = new DeterministicRandom(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Next(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Next(5, 4));
        Assert.Throws<ArgumentException>(() => r.SetState(new ulong[3]));
        Assert.Throws<ArgumentException>(() => r.SetState(new ulong[4]));
    }
}
