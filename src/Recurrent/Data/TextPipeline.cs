using Recurrent.Text;

namespace Recurrent.Data;

/// <summary>
/// From text to ids in one call: split documents into sentences (optionally), tokenize, count, build the vocabulary
/// and encode — in one pass over the text, keeping only ids and the distinct tokens in memory.
/// </summary>
/// <example>
/// <code>
/// var corpus = TextPipeline.Build(
///     new CsvCorpus("comments.csv", new CsvCorpusOptions { ColumnName = "body" }),
///     new TextPipelineOptions
///     {
///         Tokenizer = new WordTokenizer(new WordTokenizerOptions { LowerCase = true }),
///         Vocabulary = new VocabularyOptions { MaxSize = 8000, SpecialTokens = SpecialTokens.Original },
///     });
/// var (train, validation) = corpus.Split(0.1, seed: 1);
/// var dataset = train.ToSentenceDataset(batchSize: 32, new SentenceDatasetOptions { Seed = 1 });
/// </code>
/// </example>
public static class TextPipeline
{
    /// <summary>Builds a vocabulary from <paramref name="documents"/> and encodes them with it.</summary>
    /// <param name="documents">The documents (e.g. CSV values, lines, paragraphs); enumerated once.</param>
    /// <param name="options">The options.</param>
    /// <returns>The encoded corpus. Each sentence (or document) with at least one token is one sequence.</returns>
    /// <exception cref="ArgumentNullException">An argument is null, or a document is null.</exception>
    /// <exception cref="ArgumentException">The documents contain no tokens, or the vocabulary options are invalid.</exception>
    /// <remarks>
    /// When the vocabulary has sentence start/end tokens, each is counted once per sequence (they will be added around
    /// each sequence), as the original reddit model counted them. Tokens cut from a vocabulary without an unknown token
    /// are left out and counted in <see cref="EncodedCorpus.DroppedTokenCount"/>.
    /// </remarks>
    public static EncodedCorpus Build(IEnumerable<string> documents, TextPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(options);
        ITokenizer tokenizer = options.Tokenizer ?? throw new ArgumentException("Tokenizer must not be null.", nameof(options));
        VocabularyOptions vocabularyOptions = options.Vocabulary ?? throw new ArgumentException("Vocabulary must not be null.", nameof(options));
        var counter = new TokenCounter();
        var ids = new IdList();
        var offsets = new IdList();
        offsets.Add(0);
        ForEachSequence(documents, tokenizer, options.SplitSentences, tokens =>
        {
            for (int i = 0; i < tokens.Count; i++)
            {
                ids.Add(counter.Add(tokens[i]));
            }

            offsets.Add(ids.Count);
        });

        int sequences = offsets.Count - 1;
        SpecialTokens specials = vocabularyOptions.SpecialTokens ?? SpecialTokens.None;
        if (counter.Total > 0)
        {
            if (specials.SentenceStart is not null)
            {
                counter.Add(specials.SentenceStart, sequences);
            }

            if (specials.SentenceEnd is not null)
            {
                counter.Add(specials.SentenceEnd, sequences);
            }
        }

        Vocabulary vocabulary = Vocabulary.Build(counter, vocabularyOptions, nameof(documents), out int[] remap);
        return Remap(vocabulary, tokenizer, ids, offsets, id => remap[id]);
    }

    /// <summary>Encodes <paramref name="documents"/> with an existing vocabulary (e.g. a validation corpus with the training vocabulary).</summary>
    /// <param name="documents">The documents; enumerated once.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="tokenizer">The tokenizer (the one the vocabulary was built with).</param>
    /// <param name="splitSentences">Whether to split documents into sentences.</param>
    /// <returns>The encoded corpus.</returns>
    /// <exception cref="ArgumentNullException">An argument is null, or a document is null.</exception>
    public static EncodedCorpus Encode(IEnumerable<string> documents, Vocabulary vocabulary, ITokenizer tokenizer, bool splitSentences)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = new IdList();
        var offsets = new IdList();
        offsets.Add(0);
        ForEachSequence(documents, tokenizer, splitSentences, tokens =>
        {
            for (int i = 0; i < tokens.Count; i++)
            {
                ids.Add(vocabulary.TryGetId(tokens[i], out int id) ? id : vocabulary.UnknownId ?? -1);
            }

            offsets.Add(ids.Count);
        });
        return Remap(vocabulary, tokenizer, ids, offsets, id => id);
    }

    private static void ForEachSequence(IEnumerable<string> documents, ITokenizer tokenizer, bool splitSentences, Action<TokenBuffer> onSequence)
    {
        var buffer = new TokenBuffer();
        var sentences = new List<Range>();
        int index = 0;
        foreach (string document in documents)
        {
            if (document is null)
            {
                throw new ArgumentNullException(nameof(documents), $"Document {index} is null.");
            }

            index++;
            if (splitSentences)
            {
                sentences.Clear();
                SentenceSplitter.Split(document, sentences);
                foreach (Range sentence in sentences)
                {
                    Tokenize(document.AsSpan()[sentence]);
                }
            }
            else
            {
                Tokenize(document);
            }
        }

        void Tokenize(ReadOnlySpan<char> text)
        {
            buffer.Clear();
            TokenizerBase.TokenizeInto(tokenizer, text, buffer);
            if (buffer.Count > 0)
            {
                onSequence(buffer);
            }
        }
    }

    // Maps provisional ids to final ids, leaving out those that map to -1, and drops sequences that become empty.
    private static EncodedCorpus Remap(Vocabulary vocabulary, ITokenizer tokenizer, IdList ids, IdList offsets, Func<int, int> map)
    {
        Span<int> values = ids.AsSpan();
        ReadOnlySpan<int> bounds = offsets.AsSpan();
        var newOffsets = new IdList();
        newOffsets.Add(0);
        int n = 0;
        long dropped = 0;
        for (int s = 0; s + 1 < bounds.Length; s++)
        {
            for (int i = bounds[s]; i < bounds[s + 1]; i++)
            {
                int id = map(values[i]);
                if (id < 0)
                {
                    dropped++;
                    continue;
                }

                values[n++] = id;
            }

            if (n > newOffsets.Last)
            {
                newOffsets.Add(n);
            }
        }

        return new EncodedCorpus(vocabulary, tokenizer, values[..n].ToArray(), newOffsets.AsSpan().ToArray(), dropped);
    }

    // A growable int buffer (List<int> without the per-Add version bookkeeping, with span access).
    private sealed class IdList
    {
        private int[] _items = new int[4096];

        public int Count { get; private set; }

        public int Last => _items[Count - 1];

        public void Add(int value)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }

            _items[Count++] = value;
        }

        public Span<int> AsSpan() => _items.AsSpan(0, Count);
    }
}
