using Recurrent.Models;

namespace Recurrent.Sampling;

/// <summary>
/// Beam search for the most likely continuation: keeps the <c>w</c> best partial sequences, advancing all of them
/// with one batched <see cref="IRecurrentModel.Step"/> per token, and ranks finished ones by
/// <c>log p / length^α</c> (α = 0: raw log-probability; α = 1: mean log-probability per token).
/// </summary>
/// <remarks>
/// Log-probabilities are the model's own (banned ids are removed from the candidates, not renormalised away).
/// Honours the banned and stop ids and the minimum and maximum length of <see cref="SamplingOptions"/>; temperature,
/// top-k, top-p and the repetition penalty do not apply. The length of a hypothesis counts its tokens plus the stop
/// token when it ended on one. Search ends when <c>w</c> hypotheses have finished, when none is left, or at the
/// maximum length (unfinished beams are then finished with <see cref="StopReason.MaxLength"/>).
/// </remarks>
internal static class BeamSearch
{
    /// <summary>Runs beam search after a prompt.</summary>
    /// <returns>The finished hypotheses, best first.</returns>
    public static IReadOnlyList<BeamHypothesis> Search(
        IRecurrentModel model,
        ReadOnlySpan<int> prompt,
        int beamWidth,
        double lengthPenalty,
        SamplingOptions options,
        IEnumerable<int>? extraBannedIds = null,
        IEnumerable<int>? extraStopIds = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        if (!double.IsFinite(lengthPenalty) || lengthPenalty < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, "The length penalty must be finite and non-negative.");
        }

        int v = model.Options.VocabularySize;
        options.Validate(v);
        bool[] banned = new bool[v];
        bool[] stop = new bool[v];
        foreach (int id in options.BannedTokenIds.Concat(extraBannedIds ?? []))
        {
            CheckId(id, v, nameof(extraBannedIds));
            banned[id] = true;
        }

        foreach (int id in options.StopTokenIds.Concat(extraStopIds ?? []))
        {
            CheckId(id, v, nameof(extraStopIds));
            stop[id] = true;
        }

        var finished = new List<BeamHypothesis>();
        if (options.MaxLength == 0)
        {
            return [new BeamHypothesis([], 0, 0, StopReason.MaxLength)];
        }

        var generator = new TokenGenerator(model, options with { Temperature = 0f, TopK = 0, TopP = 1f, RepetitionPenalty = 1f });
        (RecurrentState primedState, float[] primedLogits) = generator.Prime(prompt);

        int w = beamWidth;
        RecurrentState state = model.CreateState(w);
        RecurrentState next = model.CreateState(w);
        float[] logits = new float[w * v]; // [w, V]
        int[] tokens = new int[w];
        StateLanes.CopyLane(primedState, 0, state, 0);
        primedLogits.CopyTo(logits, 0);

        var alive = new List<(int[] Tokens, double LogP)> { ([], 0.0) };
        var candidates = new List<(double LogP, int Parent, int Token)>(w * w);
        var topLogits = new float[w];
        var topIds = new int[w];

        for (int step = 0; step < options.MaxLength; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool suppressStops = step < options.MinLength;
            candidates.Clear();
            for (int i = 0; i < alive.Count; i++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(i * v, v);
                double logSumExp = LogSumExp(row);
                int count = TopTokens(row, banned, suppressStops ? stop : null, topLogits, topIds);
                if (count == 0)
                {
                    throw new InvalidOperationException("Every token is banned at this step: nothing can be generated.");
                }

                for (int j = 0; j < count; j++)
                {
                    candidates.Add((alive[i].LogP + (topLogits[j] - logSumExp), i, topIds[j]));
                }
            }

            // Best first; ties by parent then token, so the search is deterministic.
            candidates.Sort(static (a, b) => b.LogP != a.LogP ? b.LogP.CompareTo(a.LogP) : a.Parent != b.Parent ? a.Parent.CompareTo(b.Parent) : a.Token.CompareTo(b.Token));
            var nextAlive = new List<(int[] Tokens, double LogP)>(w);
            var parents = new List<int>(w);
            foreach ((double logP, int parent, int token) in candidates)
            {
                if (stop[token])
                {
                    int[] done = alive[parent].Tokens;
                    finished.Add(new BeamHypothesis(done, logP, Normalise(logP, done.Length + 1, lengthPenalty), StopReason.StopToken));
                }
                else
                {
                    nextAlive.Add(([.. alive[parent].Tokens, token], logP));
                    parents.Add(parent);
                }

                if (nextAlive.Count == w)
                {
                    break;
                }
            }

            alive = nextAlive;
            if (alive.Count == 0 || finished.Count >= w)
            {
                break;
            }

            if (step + 1 == options.MaxLength)
            {
                foreach ((int[] t, double logP) in alive)
                {
                    finished.Add(new BeamHypothesis(t, logP, Normalise(logP, t.Length, lengthPenalty), StopReason.MaxLength));
                }

                break;
            }

            // Reorder the lanes to follow their parents, then advance every beam by its new token.
            for (int j = 0; j < w; j++)
            {
                int parent = j < alive.Count ? parents[j] : parents[0];
                StateLanes.CopyLane(state, parent, next, j);
                tokens[j] = j < alive.Count ? alive[j].Tokens[^1] : alive[0].Tokens[^1];
            }

            (state, next) = (next, state);
            model.Step(tokens, state, logits);
        }

        finished.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        return finished;
    }

    private static double Normalise(double logP, int length, double lengthPenalty) =>
        length == 0 || lengthPenalty == 0 ? logP : logP / Math.Pow(length, lengthPenalty);

    // log Σ exp(row) over the whole vocabulary: hypotheses are ranked by the model's own probabilities (bans only
    // remove candidates, they do not renormalise).
    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float x in row)
        {
            if (float.IsNaN(x))
            {
                throw new InvalidOperationException("The model produced NaN logits.");
            }

            max = MathF.Max(max, x);
        }

        double sum = 0;
        foreach (float x in row)
        {
            sum += Math.Exp(x - max);
        }

        return max + Math.Log(sum);
    }

    // The best allowed tokens of a row, most likely first (ties: lower id first); returns how many were found.
    private static int TopTokens(ReadOnlySpan<float> row, bool[] banned, bool[]? suppressed, float[] topLogits, int[] topIds)
    {
        int k = topLogits.Length;
        int n = 0;
        for (int i = 0; i < row.Length; i++)
        {
            if (banned[i] || (suppressed is not null && suppressed[i]))
            {
                continue;
            }

            float x = row[i];
            if (n == k && !(x > topLogits[n - 1]))
            {
                continue;
            }

            int pos = n < k ? n++ : n - 1;
            while (pos > 0 && x > topLogits[pos - 1])
            {
                topLogits[pos] = topLogits[pos - 1];
                topIds[pos] = topIds[pos - 1];
                pos--;
            }

            topLogits[pos] = x;
            topIds[pos] = i;
        }

        return n;
    }

    private static void CheckId(int id, int vocabularySize, string name)
    {
        if ((uint)id >= (uint)vocabularySize)
        {
            throw new ArgumentException($"Token id {id} is outside [0, {vocabularySize}).", name);
        }
    }
}
