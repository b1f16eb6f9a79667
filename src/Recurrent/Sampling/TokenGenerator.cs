using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Recurrent.Models;

namespace Recurrent.Sampling;

/// <summary>
/// Id-level generation over an <see cref="IRecurrentModel"/>: primes the state with a prompt once, then runs up to
/// <see cref="SamplingOptions.BatchSize"/> samples side by side through the batched <see cref="IRecurrentModel.Step"/>,
/// each lane with its own random stream (see <see cref="SampleSeeds"/>). A lane that finishes picks up the next
/// pending sample, so long runs keep the batch full.
/// </summary>
/// <remarks>
/// Only <see cref="IRecurrentModel.Step"/> and <see cref="IRecurrentModel.CreateState"/> are called, so many generators
/// on many threads may share one model. One generator is not thread-safe (it owns scratch buffers).
/// </remarks>
internal sealed class TokenGenerator
{
    private readonly IRecurrentModel _model;
    private readonly RecurrentLanguageModel? _core;
    private readonly InputProjectionMemo? _memo; // this generator's (one call's) batch-1 input projections, if the model offers one
    private readonly int _vocabularySize;
    private readonly TokenSelector _selector;
    private readonly bool[] _isStop; // [V]

    /// <summary>Creates a generator.</summary>
    /// <param name="model">The model (shared, read-only).</param>
    /// <param name="options">The sampling options; token ids must be in [0, V).</param>
    /// <param name="extraBannedIds">Ids banned in addition to the options' list (e.g. the unknown token).</param>
    /// <param name="extraStopIds">Ids that stop a sample in addition to the options' list (e.g. the sentence end).</param>
    public TokenGenerator(IRecurrentModel model, SamplingOptions options, IEnumerable<int>? extraBannedIds = null, IEnumerable<int>? extraStopIds = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _core = RecurrentModel.GetCore(model);
        _memo = _core?.CreateInputProjectionMemo(); // every call primes at batch 1, so it is always used
        _vocabularySize = model.Options.VocabularySize;
        int[] extraStops = extraStopIds is null ? [] : [.. extraStopIds];
        if (extraStops.Length > 0)
        {
            options = options with { StopTokenIds = [.. options.StopTokenIds, .. extraStops] };
        }

        Options = options;
        _selector = new TokenSelector(_vocabularySize, options, extraBannedIds);
        _isStop = new bool[_vocabularySize];
        foreach (int id in options.StopTokenIds)
        {
            _isStop[id] = true;
        }
    }

    /// <summary>Gets the effective options (stop ids include the extra ones).</summary>
    public SamplingOptions Options { get; }

    /// <summary>
    /// Gets or sets an optional extra stop test, called after each appended token with the sample index and its
    /// tokens so far (only once the minimum length is reached); returning true ends the sample with
    /// <see cref="StopReason.StopString"/>.
    /// </summary>
    public Func<int, List<int>, bool>? StopCheck { get; set; }

    /// <summary>Runs the prompt through the model once, one <see cref="IRecurrentModel.Step"/> per token.</summary>
    /// <param name="prompt">At least one token id (e.g. the sentence-start id, or the seed text).</param>
    /// <returns>The batch-1 state after the prompt and the logits for the first generated token.</returns>
    /// <exception cref="ArgumentException">The prompt is empty or holds an id outside [0, V).</exception>
    public (RecurrentState State, float[] Logits) Prime(ReadOnlySpan<int> prompt)
    {
        if (prompt.IsEmpty)
        {
            throw new ArgumentException("The prompt must hold at least one token (e.g. the sentence-start token).", nameof(prompt));
        }

        foreach (int id in prompt)
        {
            if ((uint)id >= (uint)_vocabularySize)
            {
                throw new ArgumentException($"Prompt token id {id} is outside [0, {_vocabularySize}).", nameof(prompt));
            }
        }

        RecurrentState state = _model.CreateState(1);
        float[] logits = new float[_vocabularySize];
        for (int t = 0; t < prompt.Length; t++)
        {
            Step(prompt.Slice(t, 1), state, logits);
        }

        return (state, logits);
    }

    /// <summary>Generates samples <c>firstSampleIndex … firstSampleIndex + count − 1</c> after one prompt, batched.</summary>
    /// <param name="prompt">The prompt ids (at least one).</param>
    /// <param name="baseSeed">The call's seed; sample i uses <see cref="SampleSeeds.Create"/>(baseSeed, i).</param>
    /// <param name="count">How many samples.</param>
    /// <param name="firstSampleIndex">The index of the first sample.</param>
    /// <param name="cancellationToken">Checked once per step.</param>
    /// <returns>The samples, in sample order.</returns>
    public GeneratedSequence[] Generate(ReadOnlySpan<int> prompt, ulong baseSeed, int count, int firstSampleIndex = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSampleIndex);
        (RecurrentState primedState, float[] primedLogits) = Prime(prompt);
        int[] promptIds = prompt.ToArray();
        int lanes = Math.Min(count, Options.BatchSize);
        int v = _vocabularySize;
        RecurrentState state = _model.CreateState(lanes);
        float[] logits = new float[lanes * v]; // [B, V]
        int[] tokens = new int[lanes];         // [B]
        var laneData = new SampleLane[lanes];
        var results = new GeneratedSequence[count];
        int next = 0;
        for (int b = 0; b < lanes; b++)
        {
            laneData[b] = new SampleLane(v, _selector.UsesRepetitionPenalty);
        }

        // Starts the next pending sample in lane b; false when there is none.
        bool StartNext(int b)
        {
            while (next < count)
            {
                int index = firstSampleIndex + next++;
                SampleLane lane = laneData[b];
                lane.Begin(index, SampleSeeds.Create(baseSeed, index), promptIds);
                if (Options.MaxLength == 0)
                {
                    results[index - firstSampleIndex] = new GeneratedSequence(index, [], StopReason.MaxLength, 1);
                    lane.Active = false;
                    continue;
                }

                StateLanes.CopyLane(primedState, 0, state, b);
                primedLogits.CopyTo(logits.AsSpan(b * v, v));
                return true;
            }

            laneData[b].Active = false;
            return false;
        }

        for (int b = 0; b < lanes; b++)
        {
            StartNext(b);
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int active = 0;
            for (int b = 0; b < lanes; b++)
            {
                SampleLane lane = laneData[b];
                while (lane.Active)
                {
                    Span<float> row = logits.AsSpan(b * v, v);
                    LaneOutcome outcome = Advance(lane, row, promptIds, out int token, out StopReason reason);
                    if (outcome == LaneOutcome.Token)
                    {
                        tokens[b] = token;
                        active++;
                        break;
                    }

                    if (outcome == LaneOutcome.Restart)
                    {
                        StateLanes.CopyLane(primedState, 0, state, b);
                        primedLogits.CopyTo(row);
                        continue;
                    }

                    results[lane.SampleIndex - firstSampleIndex] = new GeneratedSequence(lane.SampleIndex, [.. lane.Tokens], reason, lane.Attempts);
                    StartNext(b);
                }

                if (!lane.Active)
                {
                    tokens[b] = promptIds[0]; // idle lane: any valid id; its output is ignored
                }
            }

            if (active == 0)
            {
                return results;
            }

            Step(tokens, state, logits);
        }
    }

    /// <summary>Generates one sample token by token, yielding each id as soon as it is final.</summary>
    /// <remarks>
    /// With <see cref="MinLengthMode.Resample"/> the first <see cref="SamplingOptions.MinLength"/> tokens are held back
    /// until no resampling can discard them. The ids equal those of <see cref="Generate"/> for the same seed and index.
    /// </remarks>
    public IEnumerable<int> Stream(int[] prompt, ulong baseSeed, int sampleIndex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIndex);
        (RecurrentState primedState, float[] primedLogits) = Prime(prompt);
        return StreamCore(prompt, primedState, primedLogits, baseSeed, sampleIndex, cancellationToken);
    }

    /// <summary>Async form of <see cref="Stream"/>: the same ids, one per <c>MoveNextAsync</c>.</summary>
    public async IAsyncEnumerable<int> StreamAsync(int[] prompt, ulong baseSeed, int sampleIndex, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        await Task.Yield();
        foreach (int id in Stream(prompt, baseSeed, sampleIndex, cancellationToken))
        {
            yield return id;
        }
    }

    private IEnumerable<int> StreamCore(int[] prompt, RecurrentState primedState, float[] primedLogits, ulong baseSeed, int sampleIndex, CancellationToken cancellationToken)
    {
        if (Options.MaxLength == 0)
        {
            yield break;
        }

        RecurrentState state = primedState.Clone();
        float[] logits = (float[])primedLogits.Clone();
        int[] token = new int[1];
        var lane = new SampleLane(_vocabularySize, _selector.UsesRepetitionPenalty);
        lane.Begin(sampleIndex, SampleSeeds.Create(baseSeed, sampleIndex), prompt);
        int yielded = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LaneOutcome outcome = Advance(lane, logits, prompt, out token[0], out _);
            if (outcome == LaneOutcome.Restart)
            {
                primedState.CopyTo(state);
                primedLogits.CopyTo(logits, 0);
                continue;
            }

            if (outcome == LaneOutcome.Finished || lane.Tokens.Count >= Options.MinLength)
            {
                while (yielded < lane.Tokens.Count)
                {
                    yield return lane.Tokens[yielded++];
                }
            }

            if (outcome == LaneOutcome.Finished)
            {
                yield break;
            }

            Step(token, state, logits);
        }
    }

    // One model step. At batch 1 a character-level model reuses the first layer's input projection of ids this generator
    // has stepped before (InputProjectionMemo: the same floats, one row read instead of W_ih). The generator lives for
    // one call, during which the model must not be trained, so the memo never outlives the weights it was built from.
    private void Step(ReadOnlySpan<int> tokens, RecurrentState state, Span<float> logits)
    {
        if (_core is not null && tokens.Length == 1)
        {
            _core.Step(tokens, state, logits, _memo);
            return;
        }

        _model.Step(tokens, state, logits);
    }

    // One policy step for one lane: draw a token from its logits row and decide what it means.
    private LaneOutcome Advance(SampleLane lane, ReadOnlySpan<float> row, ReadOnlySpan<int> prompt, out int token, out StopReason reason)
    {
        SamplingOptions o = Options;
        int count = lane.Tokens.Count;
        bool belowMin = count < o.MinLength;
        bool suppress = belowMin && (o.MinLengthMode == MinLengthMode.SuppressStop || lane.Attempts >= o.MaxAttempts);
        int id = _selector.Select(row, lane.SeenIds, suppress, lane.Random);
        token = id;
        reason = StopReason.StopToken;
        if (_isStop[id])
        {
            if (belowMin)
            {
                // Only reachable in Resample mode before the last attempt: discard and start over.
                lane.Restart(prompt);
                return LaneOutcome.Restart;
            }

            return LaneOutcome.Finished;
        }

        lane.Append(id);
        if (!belowMin && StopCheck is not null && StopCheck(lane.SampleIndex, lane.Tokens))
        {
            reason = StopReason.StopString;
            return LaneOutcome.Finished;
        }

        if (lane.Tokens.Count >= o.MaxLength)
        {
            reason = StopReason.MaxLength;
            return LaneOutcome.Finished;
        }

        return LaneOutcome.Token;
    }

    /// <summary>Reads the generated tokens of a lane as a span (for callers that inspect them without copying).</summary>
    internal static ReadOnlySpan<int> AsSpan(List<int> tokens) => CollectionsMarshal.AsSpan(tokens);

    private enum LaneOutcome
    {
        Token,
        Restart,
        Finished,
    }
}
