namespace Recurrent.Numerics;

/// <summary>
/// The elementwise and row kernels the models run on. These are the reference bodies with the final
/// signatures; tuned versions replace the bodies, not the signatures.
/// </summary>
internal static partial class Kernels
{
    /// <summary>
    /// Log-softmax + negative log-likelihood (+ its gradient) over <c>N</c> rows of <c>V</c> logits.
    /// Effectively computes, for each row n with <c>mask[n] ≠ 0</c> (all rows when the mask is empty):
    /// <c>loss += mask[n]·(logsumexp(logits[n]) − logits[n, targets[n]])</c>, and when
    /// <paramref name="dlogits"/> is not empty, <c>dlogits[n] = gradScale·mask[n]·(softmax(logits[n]) − onehot(targets[n]))</c>
    /// (zero for masked rows). Numerically stable (max-subtracted). <paramref name="dlogits"/> may alias
    /// <paramref name="logits"/> exactly.
    /// </summary>
    /// <returns>The summed (mask-weighted) loss in nats, accumulated in double.</returns>
    public static double SoftmaxCrossEntropy(
        ReadOnlySpan<float> logits, int vocabularySize, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
        Span<float> dlogits, float gradScale)
    {
        int rows = targets.Length;
        double loss = 0;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> row = logits.Slice(n * vocabularySize, vocabularySize);
            float m = mask.IsEmpty ? 1f : mask[n];
            bool wantGrad = !dlogits.IsEmpty;
            if (m == 0f)
            {
                if (wantGrad)
                {
                    dlogits.Slice(n * vocabularySize, vocabularySize).Clear();
                }

                continue;
            }

            float max = float.NegativeInfinity;
            foreach (float v in row)
            {
                max = MathF.Max(max, v);
            }

            double sum = 0;
            foreach (float v in row)
            {
                sum += Math.Exp(v - max);
            }

            double logSum = max + Math.Log(sum);
            int target = targets[n];
            loss += m * (logSum - row[target]);
            if (wantGrad)
            {
                Span<float> d = dlogits.Slice(n * vocabularySize, vocabularySize);
                float scale = gradScale * m;
                for (int v = 0; v < vocabularySize; v++)
                {
                    d[v] = scale * (float)Math.Exp(row[v] - logSum);
                }

                d[target] -= scale;
            }
        }

        return loss;
    }

    /// <summary>Copies rows of a table: <c>destination[i] = table[ids[i]]</c>, rows of <paramref name="columns"/> floats.</summary>
    public static void GatherRows(ReadOnlySpan<float> table, int columns, ReadOnlySpan<int> ids, Span<float> destination)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            table.Slice(ids[i] * columns, columns).CopyTo(destination.Slice(i * columns, columns));
        }
    }

    /// <summary>
    /// Accumulates rows into a table in index order (so repeated ids sum deterministically):
    /// <c>table[ids[i]] += source[i]</c>.
    /// </summary>
    public static void ScatterAddRows(ReadOnlySpan<float> source, ReadOnlySpan<int> ids, Span<float> table, int columns)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            Span<float> dst = table.Slice(ids[i] * columns, columns);
            ReadOnlySpan<float> src = source.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                dst[j] += src[j];
            }
        }
    }
}
