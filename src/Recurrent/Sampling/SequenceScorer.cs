using System.Numerics.Tensors;
using Recurrent.Models;

namespace Recurrent.Sampling;

/// <summary>
/// Scores token sequences under a model with <see cref="IRecurrentModel.Step"/> only (so it is safe on a shared
/// model): the first id is context, every later id is predicted from the ids before it — the same positions and
/// the same log-softmax cross-entropy as a training forward pass over <c>inputs = ids[..^1]</c>, <c>targets = ids[1..]</c>.
/// </summary>
internal static class SequenceScorer
{
    /// <summary>Writes <c>log p(ids[t+1] | ids[..t+1])</c> for every t into <paramref name="logProbabilities"/> (length ids.Length − 1).</summary>
    public static void TokenLogProbabilities(IRecurrentModel model, ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        ArgumentNullException.ThrowIfNull(model);
        int v = model.Options.VocabularySize;
        CheckIds(ids, v);
        if (logProbabilities.Length != Math.Max(0, ids.Length - 1))
        {
            throw new ArgumentException("The destination must have length ids.Length − 1.", nameof(logProbabilities));
        }

        if (ids.Length < 2)
        {
            return;
        }

        RecurrentState state = model.CreateState(1);
        float[] logits = new float[v];
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            model.Step(ids.Slice(t, 1), state, logits);
            logProbabilities[t] = LogSoftmaxAt(logits, ids[t + 1]);
        }
    }

    /// <summary>The summed negative log-likelihood of <c>ids[1..]</c> given the ids before each (nats) and its count.</summary>
    public static LossSum Score(IRecurrentModel model, ReadOnlySpan<int> ids)
    {
        double[] logP = new double[Math.Max(0, ids.Length - 1)];
        TokenLogProbabilities(model, ids, logP);
        double sum = 0;
        foreach (double x in logP)
        {
            sum -= x;
        }

        return new LossSum(sum, logP.Length);
    }

    /// <summary>The most likely next id after each prefix: <c>result[t] = argmax p(· | ids[..t+1])</c>, length ids.Length.</summary>
    public static int[] Predict(IRecurrentModel model, ReadOnlySpan<int> ids)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckIds(ids, model.Options.VocabularySize);
        return model.Predict(ids);
    }

    // log softmax(row)[target] = row[target] − (max + log Σ exp(row − max)), accumulated in double as the training loss is.
    private static double LogSoftmaxAt(ReadOnlySpan<float> row, int target)
    {
        float max = TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float x in row)
        {
            sum += Math.Exp(x - max);
        }

        return row[target] - (max + Math.Log(sum));
    }

    private static void CheckIds(ReadOnlySpan<int> ids, int vocabularySize)
    {
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocabularySize)
            {
                throw new ArgumentException($"Token id {id} is outside [0, {vocabularySize}).", nameof(ids));
            }
        }
    }
}
