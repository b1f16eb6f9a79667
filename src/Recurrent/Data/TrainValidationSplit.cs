namespace Recurrent.Data;

/// <summary>A deterministic split of documents or sentences into a training part and a validation part.</summary>
public static class TrainValidationSplit
{
    /// <summary>
    /// Picks <c>round(Count · validationFraction)</c> items at random (seeded) for validation — at least one item on
    /// each side when the fraction is strictly between 0 and 1 and there are at least 2 items — and keeps the rest for
    /// training. Both parts keep the original order. The same items, fraction and seed always give the same split.
    /// </summary>
    /// <typeparam name="T">The item type (a document, a sentence, an id sequence).</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="validationFraction">The fraction for validation, in <c>[0, 1)</c>.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The training and validation items.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in <c>[0, 1)</c>.</exception>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Validation) Split<T>(IReadOnlyList<T> items, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        bool[] validation = ChooseValidation(items.Count, validationFraction, seed);
        var train = new List<T>(items.Count);
        var valid = new List<T>();
        for (int i = 0; i < items.Count; i++)
        {
            (validation[i] ? valid : train).Add(items[i]);
        }

        return (train, valid);
    }

    /// <summary>Marks which of <paramref name="count"/> items go to validation.</summary>
    internal static bool[] ChooseValidation(int count, double validationFraction, int seed)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        }

        int take = (int)Math.Round(count * validationFraction, MidpointRounding.AwayFromZero);
        if (validationFraction > 0 && count >= 2)
        {
            take = Math.Clamp(take, 1, count - 1);
        }

        var indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = i;
        }

        // Partial Fisher–Yates: the first `take` positions end up a uniform random subset.
        var random = new DeterministicRandom(seed);
        for (int i = 0; i < take; i++)
        {
            int j = i + random.Next(count - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        var chosen = new bool[count];
        for (int i = 0; i < take; i++)
        {
            chosen[indices[i]] = true;
        }

        return chosen;
    }
}
