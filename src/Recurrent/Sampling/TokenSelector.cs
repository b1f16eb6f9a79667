using System.Numerics.Tensors;

namespace Recurrent.Sampling;

/// <summary>
/// The sampling policy: turns one row of logits into one token id (repetition penalty → bans → temperature /
/// greedy → top-k → top-p → one draw). Holds <c>O(V)</c> scratch so that <see cref="Select"/> allocates nothing;
/// one instance serves all lanes of a generator, one lane at a time (not thread-safe).
/// </summary>
/// <remarks>
/// Shape legend: V vocabulary size. After the policy the distribution is held either as all V unnormalised
/// probabilities in <c>_work</c> (id order, with per-block sums so the draw can skip whole blocks), or as a candidate
/// list <c>_ids[0..n]</c> with unnormalised probabilities <c>_keys[0..n]</c> in a deterministic (not sorted) order
/// (top-k / top-p). Nothing is sorted: top-k uses a size-k heap, top-p a quickselect on mass.
/// </remarks>
internal sealed class TokenSelector
{
    private const int BlockSize = 256;
    private readonly int _vocabularySize;
    private readonly float _temperature;
    private readonly int _topK;
    private readonly float _topP;
    private readonly float _repetitionPenalty;
    private readonly int[] _banned;
    private readonly int[] _stops;
    private readonly float[] _work; // [V] adjusted logits, then unnormalised probabilities
    private readonly float[] _keys; // [V] candidate probabilities (negated while sorting)
    private readonly int[] _ids;    // [V] candidate ids (a min-heap during top-k)
    private readonly float[] _blockSums; // [⌈V / BlockSize⌉] sums of _work per block, for the sampling walk

    /// <summary>Creates a selector for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    /// <param name="vocabularySize">V.</param>
    /// <param name="options">The policy; its token ids must be in [0, V).</param>
    /// <param name="extraBannedIds">Ids banned in addition to <see cref="SamplingOptions.BannedTokenIds"/> (e.g. the unknown token).</param>
    public TokenSelector(int vocabularySize, SamplingOptions options, IEnumerable<int>? extraBannedIds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        options.Validate(vocabularySize);
        _vocabularySize = vocabularySize;
        _temperature = options.Temperature;
        _topK = options.TopK;
        _topP = options.TopP;
        _repetitionPenalty = options.RepetitionPenalty;
        IEnumerable<int> banned = options.BannedTokenIds;
        if (extraBannedIds is not null)
        {
            banned = banned.Concat(extraBannedIds);
        }

        _banned = [.. banned.Distinct()];
        foreach (int id in _banned)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(extraBannedIds));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, vocabularySize, nameof(extraBannedIds));
        }

        _stops = [.. options.StopTokenIds.Distinct()];
        _work = new float[vocabularySize];
        _keys = new float[vocabularySize];
        _ids = new int[vocabularySize];
        _blockSums = new float[(vocabularySize + BlockSize - 1) / BlockSize];
    }

    /// <summary>Gets the vocabulary size V.</summary>
    public int VocabularySize => _vocabularySize;

    /// <summary>Gets whether the repetition penalty is active (so callers need to track the ids seen).</summary>
    public bool UsesRepetitionPenalty => _repetitionPenalty != 1f;

    /// <summary>Picks the next token id from one row of logits.</summary>
    /// <param name="logits">The model's logits, length V.</param>
    /// <param name="penalisedIds">Distinct ids already in the sequence (for the repetition penalty); may be empty.</param>
    /// <param name="suppressStops">Whether the stop ids are banned for this step (minimum length not reached).</param>
    /// <param name="random">The lane's generator; exactly one <see cref="Random.NextDouble"/> is drawn unless greedy.</param>
    /// <returns>The chosen id.</returns>
    /// <exception cref="InvalidOperationException">Every token is banned, or the logits contain NaN.</exception>
    public int Select(ReadOnlySpan<float> logits, ReadOnlySpan<int> penalisedIds, bool suppressStops, Random random)
    {
        int n = Prepare(logits, penalisedIds, suppressStops, out double total, out int greedy);
        if (greedy >= 0)
        {
            return greedy;
        }

        double u = random.NextDouble() * total;
        double cumulative = 0;
        int last = -1;
        if (n < 0)
        {
            // Full distribution in id order: skip whole blocks by their sums, then walk inside one block.
            int blocks = _blockSums.Length;
            int block = 0;
            for (; block < blocks - 1; block++)
            {
                double next = cumulative + _blockSums[block];
                if (next > u)
                {
                    break;
                }

                cumulative = next;
            }

            float[] p = _work;
            for (; block < blocks; block++)
            {
                int end = Math.Min(p.Length, (block + 1) * BlockSize);
                for (int i = block * BlockSize; i < end; i++)
                {
                    if (p[i] > 0f)
                    {
                        cumulative += p[i];
                        last = i;
                        if (cumulative > u)
                        {
                            return i;
                        }
                    }
                }
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                if (_keys[j] > 0f)
                {
                    cumulative += _keys[j];
                    last = _ids[j];
                    if (cumulative > u)
                    {
                        return _ids[j];
                    }
                }
            }
        }

        // Rounding left u just above the accumulated mass: the last token with mass is the right answer.
        return last;
    }

    /// <summary>
    /// Writes the exact distribution <see cref="Select"/> draws from (probability 0 for excluded ids; a one-hot
    /// vector when greedy). For tests and diagnostics.
    /// </summary>
    /// <param name="logits">The model's logits, length V.</param>
    /// <param name="penalisedIds">Distinct ids already in the sequence.</param>
    /// <param name="suppressStops">Whether the stop ids are banned for this step.</param>
    /// <param name="probabilities">Destination, length V.</param>
    public void Distribution(ReadOnlySpan<float> logits, ReadOnlySpan<int> penalisedIds, bool suppressStops, Span<double> probabilities)
    {
        if (probabilities.Length != _vocabularySize)
        {
            throw new ArgumentException("The destination must have length V.", nameof(probabilities));
        }

        int n = Prepare(logits, penalisedIds, suppressStops, out double total, out int greedy);
        probabilities.Clear();
        if (greedy >= 0)
        {
            probabilities[greedy] = 1;
        }
        else if (n < 0)
        {
            for (int i = 0; i < _vocabularySize; i++)
            {
                probabilities[i] = _work[i] / total;
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                probabilities[_ids[j]] = _keys[j] / total;
            }
        }
    }

    // Applies the whole policy. Returns -1 when the distribution is the full vocabulary in _work (block sums in
    // _blockSums), else the number of candidates in _ids/_keys; `greedy` is the chosen id at temperature 0 (else -1).
    private int Prepare(ReadOnlySpan<float> logits, ReadOnlySpan<int> penalisedIds, bool suppressStops, out double total, out int greedy)
    {
        if (logits.Length < _vocabularySize)
        {
            throw new ArgumentException("The logits row is shorter than the vocabulary.", nameof(logits));
        }

        Span<float> w = _work;
        ReadOnlySpan<float> z = logits[.._vocabularySize]; // the adjusted logits: the model's row itself when nothing adjusts it
        bool adjusted = (_repetitionPenalty != 1f && !penalisedIds.IsEmpty) || _banned.Length > 0 || (suppressStops && _stops.Length > 0);
        if (adjusted)
        {
            z.CopyTo(w);
            z = w;

            // 1. Repetition penalty (CTRL): shrink the logit of every id already used towards "less likely".
            if (_repetitionPenalty != 1f)
            {
                foreach (int id in penalisedIds)
                {
                    float x = w[id];
                    w[id] = x > 0f ? x / _repetitionPenalty : x * _repetitionPenalty;
                }
            }

            // 2. Bans: probability exactly zero.
            foreach (int id in _banned)
            {
                w[id] = float.NegativeInfinity;
            }

            if (suppressStops)
            {
                foreach (int id in _stops)
                {
                    w[id] = float.NegativeInfinity;
                }
            }
        }

        total = 0;
        greedy = -1;
        if (_temperature == 0f)
        {
            int best = TensorPrimitives.IndexOfMax<float>(z);
            CheckBest(z[best]);
            greedy = best;
            return 0;
        }

        float max = TensorPrimitives.Max<float>(z);
        CheckBest(max);
        float invT = 1f / _temperature;

        if (_topK > 0 && _topK < _vocabularySize)
        {
            if (!adjusted)
            {
                z.CopyTo(w);
            }

            // 3a. Top-k on the logits (temperature does not change the order), then p ∝ exp((z − max) / T) on the k.
            int n = SelectTopK(_topK);
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                _keys[j] = MathF.Exp((w[_ids[j]] - max) * invT);
                sum += _keys[j];
            }

            total = sum;
            return _topP < 1f ? Nucleus(n, sum, out total) : n;
        }

        // 3b. Temperature over the whole row: p_i ∝ exp((z_i − max) / T) into _work (banned: exp(−∞) = 0), one block
        // at a time so that each block is still in L1 for its exp and its sum (one pass over the row, not four).
        double full = 0;
        for (int b = 0; b < _blockSums.Length; b++)
        {
            int start = b * BlockSize;
            int length = Math.Min(BlockSize, w.Length - start);
            Span<float> block = w.Slice(start, length);
            TensorPrimitives.Subtract(z.Slice(start, length), max, block);
            if (invT != 1f)
            {
                TensorPrimitives.Multiply(block, invT, block);
            }

            TensorPrimitives.Exp(block, block);
            _blockSums[b] = TensorPrimitives.Sum<float>(block);
            full += _blockSums[b];
        }

        total = full;
        if (_topP >= 1f)
        {
            return -1;
        }

        // 4. Nucleus over the full row. Every member of the kept set has p ≥ (1 − p_top)·S / V (the tail after the
        // last kept token holds more than (1 − p_top)·S, and that token is the largest of the tail), so only tokens
        // above half that bound are candidates.
        float threshold = (float)(0.5 * (1.0 - _topP) * full / _vocabularySize);
        int count = 0;
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] > 0f && w[i] >= threshold)
            {
                _ids[count] = i;
                _keys[count] = w[i];
                count++;
            }
        }

        return Nucleus(count, full, out total);
    }

    // Reorders the candidates _ids/_keys[0..count) so that a prefix is the nucleus: the most likely candidates whose
    // mass first reaches p·sum (quickselect on mass, expected O(count), no sort). Returns the prefix length and mass.
    private int Nucleus(int count, double sum, out double mass)
    {
        double target = _topP * sum;
        int lo = 0;
        int hi = count;
        double keptMass = 0; // mass of [0, lo), all certainly kept
        while (lo < hi)
        {
            float pivot = MedianOfThree(_keys[lo], _keys[lo + ((hi - lo) >> 1)], _keys[hi - 1]);

            // Three-way partition of [lo, hi): > pivot in [lo, gt), == pivot in [gt, lt), < pivot in [lt, hi).
            int gt = lo;
            int lt = hi;
            int i = lo;
            double greaterMass = 0;
            while (i < lt)
            {
                float x = _keys[i];
                if (x > pivot)
                {
                    greaterMass += x;
                    Swap(i++, gt++);
                }
                else if (x < pivot)
                {
                    Swap(i, --lt);
                }
                else
                {
                    i++;
                }
            }

            if (keptMass + greaterMass >= target && gt > lo)
            {
                hi = gt; // the boundary lies among the larger ones
                continue;
            }

            keptMass += greaterMass;
            int equal = lt - gt;
            int needed = (int)Math.Min(equal, Math.Max(1, Math.Ceiling((target - keptMass) / pivot)));
            while (needed < equal && keptMass + (needed * (double)pivot) < target)
            {
                needed++; // rounding in the division above
            }

            if (keptMass + (needed * (double)pivot) >= target || lt == hi)
            {
                keptMass += needed * (double)pivot;
                mass = keptMass;
                return gt + needed;
            }

            keptMass += equal * (double)pivot;
            lo = lt;
        }

        mass = keptMass;
        return lo;
    }

    private static float MedianOfThree(float a, float b, float c) => MathF.Max(MathF.Min(a, b), MathF.Min(MathF.Max(a, b), c));

    private void Swap(int a, int b)
    {
        (_keys[a], _keys[b]) = (_keys[b], _keys[a]);
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
    }

    // The k best finite ids of _work by (value desc, id asc), via a size-k min-heap in _ids (root = worst kept).
    private int SelectTopK(int k)
    {
        float[] w = _work;
        int[] heap = _ids;
        int n = 0;
        for (int i = 0; i < w.Length; i++)
        {
            float x = w[i];
            if (float.IsNegativeInfinity(x))
            {
                continue;
            }

            if (n < k)
            {
                heap[n] = i;
                SiftUp(heap, n, w);
                n++;
            }
            else if (x > w[heap[0]])
            {
                // Equal values keep the earlier (lower) id already in the heap.
                heap[0] = i;
                SiftDown(heap, n, w);
            }
        }

        return n;
    }

    // "a is worse than b": lower value, or equal value and higher id.
    private static bool Worse(int a, int b, float[] w) => w[a] < w[b] || (w[a] == w[b] && a > b);

    private static void SiftUp(int[] heap, int index, float[] w)
    {
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!Worse(heap[index], heap[parent], w))
            {
                break;
            }

            (heap[index], heap[parent]) = (heap[parent], heap[index]);
            index = parent;
        }
    }

    private static void SiftDown(int[] heap, int count, float[] w)
    {
        int index = 0;
        while (true)
        {
            int left = (2 * index) + 1;
            if (left >= count)
            {
                break;
            }

            int worst = left;
            int right = left + 1;
            if (right < count && Worse(heap[right], heap[left], w))
            {
                worst = right;
            }

            if (!Worse(heap[worst], heap[index], w))
            {
                break;
            }

            (heap[index], heap[worst]) = (heap[worst], heap[index]);
            index = worst;
        }
    }

    private static void CheckBest(float best)
    {
        if (float.IsNaN(best))
        {
            throw new InvalidOperationException("The model produced NaN logits.");
        }

        if (float.IsNegativeInfinity(best))
        {
            throw new InvalidOperationException("Every token is banned at this step: nothing can be sampled.");
        }
    }
}
