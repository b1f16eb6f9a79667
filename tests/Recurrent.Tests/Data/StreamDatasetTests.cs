using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class StreamDatasetTests
{
    [Fact]
    public void Lanes_are_contiguous_and_windows_continue_them()
    {
        int[] stream = [.. Enumerable.Range(0, 21)]; // 2 lanes of 10, one id dropped
        var dataset = new StreamDataset(stream, batchSize: 2, steps: 4, null);
        Assert.True(dataset.CarriesState);
        Assert.Equal(10, dataset.LaneLength);
        Assert.Equal(3, dataset.BatchesPerEpoch); // 9 steps per lane: 4 + 4 + 1
        Assert.Equal(18, dataset.TokensPerEpoch);
        Batch[] batches = [.. dataset.GetBatches(0).Select(Copy)];
        Assert.Equal([true, false, false], batches.Select(b => b.ResetState));
        Assert.Equal([4, 4, 1], batches.Select(b => b.Steps));
        Assert.Equal([0, 10, 1, 11, 2, 12, 3, 13], batches[0].Inputs.ToArray());
        Assert.Equal([1, 11, 2, 12, 3, 13, 4, 14], batches[0].Targets.ToArray());
        Assert.Equal([8, 18], batches[2].Inputs.ToArray());
        Assert.Equal([9, 19], batches[2].Targets.ToArray());
        Assert.All(batches, b => Assert.Equal(b.Steps * 2, b.TokenCount));
    }

    [Fact]
    public void Overlapping_windows_every_k_tokens_reset_every_batch()
    {
        int[] stream = [.. Enumerable.Range(0, 12)];
        var dataset = new StreamDataset(stream, batchSize: 2, steps: 5, new StreamDatasetOptions { Stride = 3, Shuffle = false });
        Assert.False(dataset.CarriesState);
        Assert.Equal(2, dataset.BatchesPerEpoch); // windows start at 0, 3, 6
        Batch[] batches = [.. dataset.GetBatches(0).Select(Copy)];
        Assert.All(batches, b => Assert.True(b.ResetState));
        Assert.Equal([0, 3, 1, 4, 2, 5, 3, 6, 4, 7], batches[0].Inputs.ToArray());
        Assert.Equal([6, 0, 7, 0, 8, 0, 9, 0, 10, 0], batches[1].Inputs.ToArray());
        Assert.Equal([7, 0, 8, 0, 9, 0, 10, 0, 11, 0], batches[1].Targets.ToArray());
        Assert.Equal(5, batches[1].TokenCount);
        Assert.Equal(15, dataset.TokensPerEpoch);
    }

    [Fact]
    public void Overlapping_windows_are_shuffled_per_epoch_deterministically()
    {
        int[] stream = [.. Enumerable.Range(0, 200)];
        var options = new StreamDatasetOptions { Stride = 1, Seed = 9 };
        string Epoch(StreamDataset d, int e) => string.Join(';', d.GetBatches(e).Select(b => string.Join(',', b.Inputs.ToArray())));
        var a = new StreamDataset(stream, 4, 8, options);
        var b = new StreamDataset(stream, 4, 8, options);
        Assert.Equal(Epoch(a, 1), Epoch(b, 1));
        Assert.NotEqual(Epoch(a, 0), Epoch(a, 1));
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentException>(() => new StreamDataset(new int[3], 2, 4, null));
        Assert.Throws<ArgumentException>(() => new StreamDataset(new int[4], 1, 4, new StreamDatasetOptions { Stride = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamDataset(new int[10], 0, 4, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamDataset(new int[10], 1, 0, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamDataset(new int[10], 1, 2, new StreamDatasetOptions { Stride = 0 }));
        Assert.Throws<ArgumentException>(() => new StreamDataset(new[] { 1, -1, 2, 3 }, 1, 2, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamDataset(new int[10], 1, 2, null).GetBatches(0, 99));
    }

    private static Batch Copy(Batch batch)
    {
        // Batches are reused; snapshot the fields the tests read.
        return new Snapshot(batch).ToBatch();
    }

    private sealed class Snapshot(Batch b)
    {
        private readonly int[] _inputs = b.Inputs.ToArray();
        private readonly int[] _targets = b.Targets.ToArray();
        private readonly float[] _mask = b.Mask.ToArray();

        public Batch ToBatch()
        {
            var copy = new Batch();
            copy.Reset(b.Steps, b.BatchSize, b.ResetState);
            _inputs.CopyTo(copy.InputsBuffer);
            _targets.CopyTo(copy.TargetsBuffer);
            _mask.CopyTo(copy.MaskBuffer);
            copy.CountTokens();
            return copy;
        }
    }

    private static Arbitrary<(int[] Stream, int BatchSize, int Steps)> Cases() =>
        Gen.Choose(1, 5).SelectMany(batchSize =>
            Gen.Choose(1, 9).SelectMany(steps =>
                Gen.Choose(2 * batchSize, 120).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 30), length))
                    .Select(stream => (stream, batchSize, steps))))
            .ToArbitrary();

    [Property(MaxTest = 100)]
    public Property Windows_concatenated_per_lane_reproduce_the_corpus() =>
        Prop.ForAll(Cases(), c =>
        {
            var dataset = new StreamDataset(c.Stream, c.BatchSize, c.Steps, null);
            var lanes = new List<int>[c.BatchSize];
            for (int b = 0; b < lanes.Length; b++)
            {
                lanes[b] = [];
            }

            int lastTarget = 0;
            foreach (Batch batch in dataset.GetBatches(0))
            {
                for (int t = 0; t < batch.Steps; t++)
                {
                    for (int b = 0; b < c.BatchSize; b++)
                    {
                        int i = (t * c.BatchSize) + b;
                        lanes[b].Add(batch.Inputs[i]);
                        if (batch.Mask[i] != 1f)
                        {
                            return false;
                        }
                    }
                }

                lastTarget = batch.Targets[^1];
            }

            // Each lane's inputs plus its final target is the lane; the lanes in order are the corpus prefix.
            var rebuilt = new List<int>();
            int laneLength = c.Stream.Length / c.BatchSize;
            for (int b = 0; b < c.BatchSize; b++)
            {
                rebuilt.AddRange(lanes[b]);
                rebuilt.Add(c.Stream[((b + 1) * laneLength) - 1]);
            }

            return rebuilt.SequenceEqual(c.Stream.Take(laneLength * c.BatchSize))
                && lastTarget == c.Stream[(c.BatchSize * laneLength) - 1];
        });
}
