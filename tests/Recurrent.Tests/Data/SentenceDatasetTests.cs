using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Recurrent.Data;
using Recurrent.Text;

namespace Recurrent.Tests.Data;

public class SentenceDatasetTests
{
    private static int[][] Sequences(params int[] lengths) =>
        [.. lengths.Select((n, s) => Enumerable.Range(0, n).Select(i => 1 + ((s * 7) + i) % 9).ToArray())];

    [Fact]
    public void Input_is_all_but_last_target_all_but_first_padded_and_masked()
    {
        var dataset = new SentenceDataset([[1, 2, 3, 4], [5, 6]], batchSize: 2, new SentenceDatasetOptions { Shuffle = false });
        Assert.Equal(1, dataset.BatchesPerEpoch);
        Assert.Equal(4, dataset.TokensPerEpoch);
        Assert.False(dataset.CarriesState);
        Batch batch = Assert.Single(dataset.GetBatches(0));
        Assert.Equal(3, batch.Steps);
        Assert.Equal(2, batch.BatchSize);
        Assert.True(batch.ResetState);
        // time-major [T, B]; length order puts [5, 6] in lane 0
        Assert.Equal([5, 1, 0, 2, 0, 3], batch.Inputs.ToArray());
        Assert.Equal([6, 2, 0, 3, 0, 4], batch.Targets.ToArray());
        Assert.Equal([1f, 1f, 0f, 1f, 0f, 1f], batch.Mask.ToArray());
        Assert.Equal(4, batch.TokenCount);
    }

    [Fact]
    public void FromSentences_wraps_in_start_and_end_ids()
    {
        Vocabulary vocabulary = Vocabulary.Build(["a", "b"], new VocabularyOptions { SpecialTokens = SpecialTokens.Original });
        int a = vocabulary.GetId("a"), b = vocabulary.GetId("b");
        var dataset = SentenceDataset.FromSentences([[a, b]], vocabulary, 1, null);
        Batch batch = Assert.Single(dataset.GetBatches(0));
        Assert.Equal([vocabulary.SentenceStartId!.Value, a, b], batch.Inputs.ToArray());
        Assert.Equal([a, b, vocabulary.SentenceEndId!.Value], batch.Targets.ToArray());
    }

    [Fact]
    public void Similar_lengths_share_a_batch_and_the_order_is_a_pure_function_of_seed_and_epoch()
    {
        int[][] sequences = Sequences(2, 9, 3, 8, 2, 9, 3, 8, 5, 5);
        var options = new SentenceDatasetOptions { Seed = 42 };
        var a = new SentenceDataset(sequences, 2, options);
        var b = new SentenceDataset(sequences, 2, options);
        Assert.Equal(a.GetEpochPlan(3).Select(x => string.Join(',', x)), b.GetEpochPlan(3).Select(x => string.Join(',', x)));
        Assert.NotEqual(a.GetEpochPlan(0).Select(x => string.Join(',', x)), a.GetEpochPlan(1).Select(x => string.Join(',', x)));
        foreach (int[] batch in a.GetEpochPlan(5))
        {
            Assert.Single(batch.Select(s => sequences[s].Length).Distinct()); // pairs of equal lengths
        }

        // Resuming at batch 2 yields the same batches as the tail of a full epoch.
        List<int[]> full = [.. a.GetBatches(4).Select(x => x.Inputs.ToArray())];
        List<int[]> resumed = [.. a.GetBatches(4, startBatch: 2).Select(x => x.Inputs.ToArray())];
        Assert.Equal(full.Skip(2), resumed);
    }

    [Fact]
    public void MaxSteps_truncates_and_short_sequences_are_dropped()
    {
        var dataset = new SentenceDataset([[1, 2, 3, 4, 5], [7], [8, 9]], 4, new SentenceDatasetOptions { MaxSteps = 2 });
        Assert.Equal(2, dataset.SequenceCount);
        Assert.Equal(3, dataset.TokensPerEpoch);
        Assert.Equal(2, Assert.Single(dataset.GetBatches(0)).Steps);
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => new SentenceDataset(null!, 1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceDataset([[1, 2]], 0, null));
        Assert.Throws<ArgumentException>(() => new SentenceDataset([[1]], 1, null));
        Assert.Throws<ArgumentException>(() => new SentenceDataset([[1, -2]], 1, null));
        var dataset = new SentenceDataset([[1, 2]], 1, null);
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetBatches(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetBatches(0, 2));
        Vocabulary vocabulary = Vocabulary.Build(["a"], null);
        Assert.Throws<ArgumentException>(() => SentenceDataset.FromSentences([[0, 5]], vocabulary, 1, null));
    }

    private static Arbitrary<(int[][] Sequences, int BatchSize, int Seed)> Cases() =>
        Gen.Choose(1, 6).SelectMany(batchSize =>
            Gen.Choose(1, 12).SelectMany(count =>
                Gen.ArrayOf(Gen.Choose(2, 10).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 49), length)), count)
                    .SelectMany(sequences => Gen.Choose(0, 1000).Select(seed => (sequences, batchSize, seed)))))
            .ToArbitrary();

    [Property(MaxTest = 100)]
    public Property Ids_are_in_range_and_masks_cover_exactly_the_real_tokens() =>
        Prop.ForAll(Cases(), c =>
        {
            var dataset = new SentenceDataset(c.Sequences, c.BatchSize, new SentenceDatasetOptions { Seed = c.Seed });
            long tokens = 0;
            var seen = new List<string>();
            foreach (Batch batch in dataset.GetBatches(c.Seed % 3))
            {
                if (!batch.ResetState || batch.BatchSize != c.BatchSize)
                {
                    return false;
                }

                for (int b = 0; b < batch.BatchSize; b++)
                {
                    var inputs = new List<int>();
                    var targets = new List<int>();
                    for (int t = 0; t < batch.Steps; t++)
                    {
                        int i = (t * batch.BatchSize) + b;
                        if (batch.Inputs[i] is < 0 or >= 50 || batch.Targets[i] is < 0 or >= 50)
                        {
                            return false;
                        }

                        if (batch.Mask[i] == 1f)
                        {
                            if (inputs.Count != t)
                            {
                                return false; // real positions are a prefix of the lane
                            }

                            inputs.Add(batch.Inputs[i]);
                            targets.Add(batch.Targets[i]);
                        }
                        else if (batch.Mask[i] != 0f)
                        {
                            return false;
                        }
                    }

                    if (inputs.Count > 0)
                    {
                        seen.Add(string.Join(',', inputs.Append(targets[^1])));
                    }
                }

                tokens += batch.TokenCount;
            }

            // Every sequence appears exactly once, whole, and the mask counts exactly its tokens.
            return tokens == dataset.TokensPerEpoch
                && seen.Order(StringComparer.Ordinal).SequenceEqual(c.Sequences.Select(s => string.Join(',', s)).Order(StringComparer.Ordinal));
        });
}
