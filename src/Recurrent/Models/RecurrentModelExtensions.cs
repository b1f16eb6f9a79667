using System.Numerics.Tensors;

namespace Recurrent.Models;

/// <summary>Conveniences over <see cref="IRecurrentModel"/>.</summary>
public static class RecurrentModelExtensions
{
    /// <summary>
    /// Returns, for each position t of a sequence, the most likely next token after reading tokens 0 … t
    /// (the original write-up's <c>predict</c>), starting from a zero state. Never applies dropout.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenIds">The sequence of input ids.</param>
    /// <returns>One predicted id per input position.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public static int[] Predict(this IRecurrentModel model, ReadOnlySpan<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(model);
        int[] result = new int[tokenIds.Length];
        model.Predict(tokenIds, model.CreateState(1), result);
        return result;
    }

    /// <summary>
    /// Writes, for each position t, the most likely next token after reading tokens 0 … t, advancing
    /// <paramref name="state"/> (batch size 1) through the sequence. Ties go to the lowest id.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenIds">The sequence of input ids.</param>
    /// <param name="state">A batch-1 state to start from; on return it holds the state after the last token.</param>
    /// <param name="destination">One element per input position.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the sequence, or the state's batch size is not 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public static void Predict(this IRecurrentModel model, ReadOnlySpan<int> tokenIds, RecurrentState state, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        if (state.BatchSize != 1)
        {
            throw new ArgumentException("Predict runs one sequence: the state's batch size must be 1.", nameof(state));
        }

        if (destination.Length < tokenIds.Length)
        {
            throw new ArgumentException("The destination is shorter than the sequence.", nameof(destination));
        }

        float[] logits = new float[model.Options.VocabularySize];
        for (int t = 0; t < tokenIds.Length; t++)
        {
            model.Step(tokenIds.Slice(t, 1), state, logits);
            destination[t] = TensorPrimitives.IndexOfMax(logits);
        }
    }

    /// <summary>
    /// Computes the next-token loss of a token stream: every token but the first is predicted from the ones before it,
    /// in windows of <paramref name="windowLength"/> steps with the state carried across windows (batch size 1, no
    /// dropout, no gradients). <see cref="LossSum.Mean"/> and <see cref="LossSum.Perplexity"/> give the per-token figures.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenIds">The stream; its length minus one positions are scored.</param>
    /// <param name="windowLength">Steps per forward pass (memory grows with it; the result does not depend on it beyond round-off).</param>
    /// <returns>The summed loss in nats and the number of positions scored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="windowLength"/> is less than 1, or an id is outside the vocabulary.</exception>
    /// <remarks>
    /// This runs <see cref="IRecurrentModel.Forward"/> in evaluation mode, which discards the cache of an earlier
    /// training pass of the same model.
    /// </remarks>
    public static LossSum Evaluate(this IRecurrentModel model, ReadOnlySpan<int> tokenIds, int windowLength = 35)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowLength, 1);
        RecurrentState state = model.CreateState(1);
        LossSum total = default;
        for (int start = 0; start + 1 < tokenIds.Length; start += windowLength)
        {
            int length = Math.Min(windowLength, tokenIds.Length - 1 - start);
            total += model.Forward(tokenIds.Slice(start, length), tokenIds.Slice(start + 1, length), default, state, ForwardMode.Evaluate);
        }

        return total;
    }
}
