using System.Runtime.CompilerServices;
using Recurrent.Models;
using Recurrent.Text;

namespace Recurrent.Sampling;

/// <summary>
/// Generates and scores text with a trained <see cref="IRecurrentModel"/>, its <see cref="Vocabulary"/> and the
/// <see cref="ITokenizer"/> it was trained with: sentences from the sentence-start to the sentence-end token (word
/// level), continuations of a prompt or seed text (any level), streamed pieces, beam search, and the log-probability,
/// cross-entropy and perplexity of a text.
/// </summary>
/// <remarks>
/// <para>A prompt is tokenized and run through the model once (one <see cref="IRecurrentModel.Step"/> per token);
/// after that every generated token costs one step, whatever the length. Several samples run side by side through
/// the batched step (<see cref="SamplingOptions.BatchSize"/>); sample <c>i</c> of a call always draws from its own
/// random stream seeded from (<see cref="SamplingOptions.Seed"/>, i), so batched and one-by-one results are equal and
/// the same seed gives the same text.</para>
/// <para>Thread safety: the sampler only calls <see cref="IRecurrentModel.Step"/> and
/// <see cref="IRecurrentModel.CreateState"/>, and every call owns its state and buffers, so any number of samplers
/// (or calls on one sampler) may run on different threads over one shared model, as long as nobody trains that model
/// at the same time.</para>
/// <para>Special tokens: the vocabulary's unknown token is never generated unless
/// <see cref="SamplingOptions.AllowUnknownToken"/> is set; the sentence-start token is never generated; the
/// sentence-end token always stops a sample (and is not part of the text).</para>
/// </remarks>
public sealed class Sampler
{
    private readonly Random _random;
    private readonly Lock _randomLock = new();

    /// <summary>Creates a sampler.</summary>
    /// <param name="model">The trained model (shared, read-only).</param>
    /// <param name="vocabulary">The vocabulary the model was trained with (<c>Count</c> = the model's vocabulary size).</param>
    /// <param name="tokenizer">The tokenizer the vocabulary was built with.</param>
    /// <param name="options">The default options for calls that do not pass their own (default <c>new SamplingOptions()</c>).</param>
    /// <param name="random">The generator that seeds calls whose options have no <see cref="SamplingOptions.Seed"/>
    /// (default: a <see cref="DeterministicRandom"/> with seed 0, so a fresh sampler always produces the same sequence of texts).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The vocabulary size differs from the model's, or the options are invalid.</exception>
    public Sampler(IRecurrentModel model, Vocabulary vocabulary, ITokenizer tokenizer, SamplingOptions? options = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (model.Options.VocabularySize != vocabulary.Count)
        {
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens but the model expects {model.Options.VocabularySize}.", nameof(vocabulary));
        }

        Model = model;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        Options = options ?? new SamplingOptions();
        Options.Validate(vocabulary.Count);
        _random = random ?? new DeterministicRandom(0);
    }

    /// <summary>Gets the model.</summary>
    public IRecurrentModel Model { get; }

    /// <summary>Gets the vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Gets the tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>Gets the default options.</summary>
    public SamplingOptions Options { get; }

    /// <summary>
    /// Generates one sentence: starts from the sentence-start token (or, for a vocabulary without one, the
    /// sentence-end token, as in a stream of lines) and ends at the sentence-end token, detokenized.
    /// </summary>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <returns>The sentence, without the special tokens.</returns>
    /// <exception cref="InvalidOperationException">The vocabulary has neither a sentence-start nor a sentence-end token.</exception>
    public string GenerateSentence(SamplingOptions? options = null) => GenerateSentences(1, options)[0];

    /// <summary>Generates <paramref name="count"/> independent sentences (see <see cref="GenerateSentence"/>), batched.</summary>
    /// <param name="count">How many sentences.</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <returns>The sentences, in sample order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The vocabulary has neither a sentence-start nor a sentence-end token.</exception>
    public IReadOnlyList<string> GenerateSentences(int count, SamplingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int start = Vocabulary.SentenceStartId ?? Vocabulary.SentenceEndId
            ?? throw new InvalidOperationException("The vocabulary has no sentence-start or sentence-end token; use Generate with a prompt.");
        return GenerateCore([start], count, options ?? Options, CancellationToken.None);
    }

    /// <summary>Generates one continuation of <paramref name="prompt"/>.</summary>
    /// <param name="prompt">The text to continue; may be empty when the vocabulary has a sentence-start token
    /// (which is put in front of the prompt when it exists).</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <returns>The generated text only (not the prompt).</returns>
    /// <exception cref="ArgumentException">The prompt is empty and there is no sentence-start token, or holds an unknown token without an unknown id.</exception>
    public string Generate(string prompt, SamplingOptions? options) => GenerateCore(PromptIds(prompt), 1, options ?? Options, CancellationToken.None)[0];

    /// <summary>Generates one continuation of <paramref name="prompt"/> with the default <see cref="Options"/>.</summary>
    /// <param name="prompt">The text to continue (see <see cref="Generate(string, SamplingOptions?)"/>).</param>
    /// <returns>The generated text only (not the prompt).</returns>
    public string Generate(string prompt) => Generate(prompt, null);

    /// <summary>Generates <see cref="SamplingOptions.SampleCount"/> independent continuations of <paramref name="prompt"/>, batched.</summary>
    /// <param name="prompt">The text to continue (see <see cref="Generate(string, SamplingOptions?)"/>).</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <returns>The generated texts, in sample order.</returns>
    public IReadOnlyList<string> GenerateSamples(string prompt, SamplingOptions? options = null)
    {
        options ??= Options;
        return GenerateCore(PromptIds(prompt), options.SampleCount, options, CancellationToken.None);
    }

    /// <summary>
    /// Generates <paramref name="length"/> tokens (characters, for a character tokenizer) after a seed text at the
    /// given temperature, like TFLearn's <c>SequenceGenerator.generate(length, temperature, seq_seed)</c>, and returns the
    /// seed followed by the generated text. The other settings come from <see cref="Options"/> (minimum length and
    /// stop strings are not applied).
    /// </summary>
    /// <param name="length">How many tokens to generate (fewer when a stop token is drawn).</param>
    /// <param name="seed">The seed text (at least one token).</param>
    /// <param name="temperature">The temperature (0 = greedy).</param>
    /// <returns>The seed text followed by the generated text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or the temperature is invalid.</exception>
    public string Generate(int length, string seed, float temperature)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(seed);
        SamplingOptions options = Options with { MaxLength = length, MinLength = 0, Temperature = temperature, StopStrings = [] };
        return seed + GenerateCore(PromptIds(seed), 1, options, CancellationToken.None)[0];
    }

    /// <summary>
    /// Generates one continuation of <paramref name="prompt"/> and yields its text piece by piece as tokens are
    /// produced (for a word tokenizer, each piece is one word with the spacing before it). Concatenated, the pieces
    /// give the same text as <see cref="Generate(string, SamplingOptions?)"/> with the same seed.
    /// </summary>
    /// <param name="prompt">The text to continue (see <see cref="Generate(string, SamplingOptions?)"/>).</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <param name="cancellationToken">Checked before each token.</param>
    /// <returns>The pieces of text.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public IEnumerable<string> Stream(string prompt, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        int[] ids = PromptIds(prompt);
        options ??= Options;
        TokenGenerator generator = CreateGenerator(options);
        ulong seed = options.Seed ?? NextSeed();
        return StreamCore(generator.Stream(ids, seed, 0, cancellationToken), options);
    }

    /// <summary>Async form of <see cref="Stream"/>: the same pieces, one per <c>MoveNextAsync</c>.</summary>
    /// <param name="prompt">The text to continue.</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <param name="cancellationToken">Checked before each token.</param>
    /// <returns>The pieces of text.</returns>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, SamplingOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IEnumerable<string> pieces = Stream(prompt, options, cancellationToken);
        await Task.Yield();
        foreach (string piece in pieces)
        {
            yield return piece;
        }
    }

    /// <summary>
    /// Finds the most likely continuation of <paramref name="prompt"/> by beam search, ranked by
    /// <c>log p / length^lengthPenalty</c>. Honours the banned and stop tokens and the length bounds of the options;
    /// temperature, top-k, top-p and the repetition penalty do not apply.
    /// </summary>
    /// <param name="prompt">The text to continue (may be empty when there is a sentence-start token: the most likely sentence).</param>
    /// <param name="beamWidth">The number of hypotheses kept (1 = greedy).</param>
    /// <param name="lengthPenalty">The length-normalisation exponent α (0 = raw log-probability, 1 = per-token mean).</param>
    /// <param name="options">Options for this call (default <see cref="Options"/>).</param>
    /// <returns>The best continuation's text.</returns>
    public string BeamSearch(string prompt, int beamWidth = 5, double lengthPenalty = 1.0, SamplingOptions? options = null)
    {
        options ??= Options;
        IReadOnlyList<BeamHypothesis> beams = Sampling.BeamSearch.Search(Model, PromptIds(prompt), beamWidth, lengthPenalty, options, ExtraBanned(options), ExtraStops());
        return ToText(beams[0].TokenIds, options);
    }

    /// <summary>
    /// Scores a text under the model: it is tokenized, wrapped in the sentence-start and sentence-end tokens when the
    /// vocabulary has them (as sentences are in training), and every token after the first is predicted from the ones
    /// before it — the same positions and loss as a training pass over that text.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The log-probability, token count, cross-entropy and perplexity.</returns>
    public TextScore Score(string text)
    {
        int[] ids = [.. TextIds(text, withStart: true), .. Vocabulary.SentenceEndId is int end ? [end] : Array.Empty<int>()];
        double[] logP = new double[Math.Max(0, ids.Length - 1)];
        SequenceScorer.TokenLogProbabilities(Model, ids, logP);
        return new TextScore(logP.Sum(), logP.Length, logP);
    }

    /// <summary>
    /// Predicts the most likely next token after each position of a text (after the sentence-start token and each
    /// of the text's tokens).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>One predicted token per input position: element i follows the first i + 1 inputs.</returns>
    public IReadOnlyList<string> Predict(string text)
    {
        int[] ids = TextIds(text, withStart: true);
        return ids.Length == 0 ? [] : Vocabulary.Decode(SequenceScorer.Predict(Model, ids));
    }

    private string[] GenerateCore(int[] prompt, int count, SamplingOptions options, CancellationToken cancellationToken)
    {
        TokenGenerator generator = CreateGenerator(options);
        ulong seed = options.Seed ?? NextSeed();
        GeneratedSequence[] samples = generator.Generate(prompt, seed, count, 0, cancellationToken);
        return [.. samples.Select(s => ToText(s.TokenIds, options))];
    }

    private TokenGenerator CreateGenerator(SamplingOptions options)
    {
        options.Validate(Vocabulary.Count);
        var generator = new TokenGenerator(Model, options, ExtraBanned(options), ExtraStops());
        if (options.StopStrings.Count > 0)
        {
            generator.StopCheck = (_, tokens) => StopIndex(Detokenize(TokenGenerator.AsSpan(tokens)), options, 0) >= 0;
        }

        return generator;
    }

    private IEnumerable<string> StreamCore(IEnumerable<int> ids, SamplingOptions options)
    {
        var tokens = new List<int>();
        int emitted = 0;
        int holdBack = options.StopStrings.Count == 0 ? 0 : options.StopStrings.Max(s => s.Length) - 1;
        foreach (int id in ids)
        {
            tokens.Add(id);
            string text = Detokenize(TokenGenerator.AsSpan(tokens));
            int stop = StopIndex(text, options, 0);
            int safe = stop >= 0 ? stop : text.Length - holdBack;
            if (safe > emitted)
            {
                yield return text[emitted..safe];
                emitted = safe;
            }

            if (stop >= 0)
            {
                yield break;
            }
        }

        string final = Detokenize(TokenGenerator.AsSpan(tokens));
        if (final.Length > emitted)
        {
            yield return final[emitted..];
        }
    }

    private string ToText(ReadOnlySpan<int> ids, SamplingOptions options)
    {
        string text = Detokenize(ids);
        int stop = StopIndex(text, options, 0);
        return stop >= 0 ? text[..stop] : text;
    }

    private string Detokenize(ReadOnlySpan<int> ids) => Tokenizer.Detokenize(Vocabulary.Decode(ids));

    private static int StopIndex(string text, SamplingOptions options, int startIndex)
    {
        int best = -1;
        foreach (string stop in options.StopStrings)
        {
            int i = text.IndexOf(stop, startIndex, StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best))
            {
                best = i;
            }
        }

        return best;
    }

    private int[] PromptIds(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        int[] ids = TextIds(prompt, withStart: true);
        if (ids.Length == 0)
        {
            throw new ArgumentException("The prompt is empty and the vocabulary has no sentence-start token to start from.", nameof(prompt));
        }

        return ids;
    }

    private int[] TextIds(string text, bool withStart)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[] tokens = Vocabulary.Encode(Tokenizer.Tokenize(text));
        return withStart && Vocabulary.SentenceStartId is int start ? [start, .. tokens] : tokens;
    }

    private List<int> ExtraBanned(SamplingOptions options)
    {
        var banned = new List<int>(2);
        if (!options.AllowUnknownToken && Vocabulary.UnknownId is int unknown)
        {
            banned.Add(unknown);
        }

        if (Vocabulary.SentenceStartId is int start)
        {
            banned.Add(start);
        }

        return banned;
    }

    private int[] ExtraStops() => Vocabulary.SentenceEndId is int end ? [end] : [];

    private ulong NextSeed()
    {
        lock (_randomLock)
        {
            return _random is DeterministicRandom d ? d.NextUInt64() : (ulong)_random.NextInt64();
        }
    }
}
