namespace Recurrent.Sampling;

/// <summary>
/// How tokens are drawn from a model's next-token distribution. Immutable; create variants with <c>with</c>.
/// </summary>
/// <remarks>
/// The policy runs in this order on each step's logits: repetition penalty → banned tokens (and, while the
/// sequence is shorter than <see cref="MinLength"/>, the stop tokens when they are suppressed) → temperature
/// (0 means greedy argmax and skips the rest) → top-k → top-p → one draw from the renormalised distribution.
/// Lengths count generated tokens only: not the prompt and not the stop token.
/// </remarks>
public sealed record SamplingOptions
{
    /// <summary>Gets the softmax temperature: 1 samples the model's distribution, &lt; 1 sharpens it, 0 is greedy (argmax). Default 1.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Gets k for top-k sampling: only the k most likely tokens can be drawn. 0 (default) disables it.</summary>
    public int TopK { get; init; }

    /// <summary>Gets p for nucleus sampling: only the smallest set of most likely tokens whose mass is at least p can be drawn. 1 (default) disables it.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>
    /// Gets the repetition penalty (CTRL-style): the logit of every token already in the sequence (prompt included)
    /// is divided by it when positive and multiplied by it when negative. 1 (default) disables it.
    /// </summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Gets the token ids that are never generated. Default none.</summary>
    public IReadOnlyList<int> BannedTokenIds { get; init; } = [];

    /// <summary>Gets the token ids that end a sequence when drawn (not included in the output). Default none.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Gets strings that end a text when it ends with one (not included in the output). Text-level only. Default none.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>
    /// Gets whether the vocabulary's unknown token may be generated. Default false: it is banned, as the original
    /// sentence generator never emitted it.
    /// </summary>
    public bool AllowUnknownToken { get; init; }

    /// <summary>Gets the minimum number of generated tokens before a stop token may end the sequence. Default 0.</summary>
    public int MinLength { get; init; }

    /// <summary>Gets the maximum number of generated tokens; a sequence that reaches it ends there. Default 100.</summary>
    public int MaxLength { get; init; } = 100;

    /// <summary>Gets how <see cref="MinLength"/> is enforced (default <see cref="MinLengthMode.Resample"/>).</summary>
    public MinLengthMode MinLengthMode { get; init; }

    /// <summary>Gets how many attempts <see cref="MinLengthMode.Resample"/> makes per sample (default 100).</summary>
    public int MaxAttempts { get; init; } = 100;

    /// <summary>Gets the number of samples a multi-sample call produces when it is not given a count (default 1).</summary>
    public int SampleCount { get; init; } = 1;

    /// <summary>Gets how many samples run side by side through one batched model step (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Gets the seed. Sample <c>i</c> of a call draws from its own generator seeded from (seed, i), so the same seed
    /// gives the same text whether samples are generated one by one or batched. When null (default), the sampler
    /// draws a fresh seed for each call from its own <see cref="Random"/>.
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>Checks every option and throws when one is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A list is null or contains an invalid entry, or <see cref="MaxLength"/> &lt; <see cref="MinLength"/>.</exception>
    public void Validate()
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be finite and non-negative (0 = greedy).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(TopK, nameof(TopK));
        if (!(TopP > 0f && TopP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        }

        if (!(RepetitionPenalty > 0f) || float.IsInfinity(RepetitionPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "RepetitionPenalty must be finite and positive (1 = off).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinLength, nameof(MinLength));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxLength, nameof(MaxLength));
        if (MaxLength < MinLength)
        {
            throw new ArgumentException($"MaxLength ({MaxLength}) is less than MinLength ({MinLength}).", nameof(MaxLength));
        }

        if (!Enum.IsDefined(MinLengthMode))
        {
            throw new ArgumentOutOfRangeException(nameof(MinLengthMode), MinLengthMode, "Unknown minimum-length mode.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(SampleCount, 1, nameof(SampleCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (BannedTokenIds is null || StopTokenIds is null || StopStrings is null)
        {
            throw new ArgumentException("BannedTokenIds, StopTokenIds and StopStrings must not be null.", nameof(BannedTokenIds));
        }

        foreach (string s in StopStrings)
        {
            if (string.IsNullOrEmpty(s))
            {
                throw new ArgumentException("Stop strings must be non-empty.", nameof(StopStrings));
            }
        }
    }

    /// <summary>Validates the options against a vocabulary size (token ids must be in [0, V)).</summary>
    /// <param name="vocabularySize">The model's vocabulary size V.</param>
    internal void Validate(int vocabularySize)
    {
        Validate();
        CheckIds(BannedTokenIds, vocabularySize, nameof(BannedTokenIds));
        CheckIds(StopTokenIds, vocabularySize, nameof(StopTokenIds));
    }

    private static void CheckIds(IReadOnlyList<int> ids, int vocabularySize, string name)
    {
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocabularySize)
            {
                throw new ArgumentException($"Token id {id} in {name} is outside [0, {vocabularySize}).", name);
            }
        }
    }
}
