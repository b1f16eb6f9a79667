using Recurrent.Text;

namespace Recurrent.Data;

/// <summary>
/// A corpus turned into ids: a <see cref="Text.Vocabulary"/>, the tokenizer used, and a list of id sequences (one per
/// sentence or document, without start/end markers), stored flat in one <c>int[]</c>. Made by <see cref="TextPipeline"/>;
/// turns into datasets for either training mode.
/// </summary>
public sealed class EncodedCorpus
{
    private readonly int[] _ids;
    private readonly int[] _offsets;

    internal EncodedCorpus(Vocabulary vocabulary, ITokenizer tokenizer, int[] ids, int[] offsets, long droppedTokenCount)
    {
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        _ids = ids;
        _offsets = offsets;
        DroppedTokenCount = droppedTokenCount;
    }

    /// <summary>Gets the vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Gets the tokenizer the text was tokenized with.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>Gets the number of sequences (sentences or documents).</summary>
    public int SequenceCount => _offsets.Length - 1;

    /// <summary>Gets the number of ids over all sequences (markers not included).</summary>
    public long TokenCount => _ids.Length;

    /// <summary>Gets the number of tokens left out because they are not in the vocabulary and it has no unknown token.</summary>
    public long DroppedTokenCount { get; }

    /// <summary>Gets the ids of sequence <paramref name="index"/>.</summary>
    /// <param name="index">The sequence index.</param>
    /// <returns>The ids (a view; do not keep beyond the corpus).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, SequenceCount)</c>.</exception>
    public ReadOnlySpan<int> GetSequence(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SequenceCount);
        return _ids.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);
    }

    /// <summary>Splits the sequences (not tokens) deterministically into training and validation parts; see <see cref="TrainValidationSplit"/>.</summary>
    /// <param name="validationFraction">The fraction of sequences for validation, in <c>[0, 1)</c>.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The two parts, sharing this corpus's vocabulary and tokenizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in <c>[0, 1)</c>.</exception>
    public (EncodedCorpus Train, EncodedCorpus Validation) Split(double validationFraction, int seed)
    {
        bool[] validation = TrainValidationSplit.ChooseValidation(SequenceCount, validationFraction, seed);
        return (Select(validation, false), Select(validation, true));
    }

    /// <summary>
    /// Makes a sentence-mode dataset: each sequence wrapped in the vocabulary's sentence start and end ids (those it has),
    /// input = all but the last id, target = all but the first.
    /// </summary>
    /// <param name="batchSize">The number of sentences per batch (B).</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException">No sequence yields a training pair.</exception>
    public SentenceDataset ToSentenceDataset(int batchSize, SentenceDatasetOptions? options) =>
        SentenceDataset.FromFlat(_ids, _offsets, Vocabulary.SentenceStartId, Vocabulary.SentenceEndId, batchSize, options);

    /// <summary>Makes a stream-mode dataset over <see cref="ToStream"/>.</summary>
    /// <param name="batchSize">The number of lanes B.</param>
    /// <param name="steps">The window length T.</param>
    /// <param name="options">The options; null for contiguous lanes.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="steps"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The corpus is too short for one window.</exception>
    public StreamDataset ToStreamDataset(int batchSize, int steps, StreamDatasetOptions? options) =>
        new(ToStream(), batchSize, steps, options);

    /// <summary>
    /// Concatenates the sequences into one id stream, each followed by the vocabulary's sentence end id when it has one
    /// (as in the Penn Treebank language-model setup, where every line ends with <c>&lt;eos&gt;</c>).
    /// </summary>
    /// <returns>A new array.</returns>
    public int[] ToStream()
    {
        if (Vocabulary.SentenceEndId is not { } end)
        {
            return (int[])_ids.Clone();
        }

        var stream = new int[_ids.Length + SequenceCount];
        int n = 0;
        for (int i = 0; i < SequenceCount; i++)
        {
            ReadOnlySpan<int> sequence = _ids.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);
            sequence.CopyTo(stream.AsSpan(n));
            n += sequence.Length;
            stream[n++] = end;
        }

        return stream;
    }

    private EncodedCorpus Select(bool[] validation, bool wanted)
    {
        var ids = new List<int>();
        var offsets = new List<int> { 0 };
        for (int i = 0; i < SequenceCount; i++)
        {
            if (validation[i] == wanted)
            {
                ids.AddRange(_ids.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]));
                offsets.Add(ids.Count);
            }
        }

        return new EncodedCorpus(Vocabulary, Tokenizer, [.. ids], [.. offsets], 0);
    }
}
