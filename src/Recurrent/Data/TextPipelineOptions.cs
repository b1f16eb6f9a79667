using Recurrent.Text;

namespace Recurrent.Data;

/// <summary>Options for <see cref="TextPipeline.Build"/>: how documents become sequences of ids.</summary>
public sealed class TextPipelineOptions
{
    /// <summary>Gets the tokenizer. Default: a <see cref="WordTokenizer"/> with default options.</summary>
    public ITokenizer Tokenizer { get; init; } = new WordTokenizer();

    /// <summary>Gets whether documents are split into sentences with <see cref="SentenceSplitter"/> (one sequence per sentence) or kept whole (one sequence per document). Default true.</summary>
    public bool SplitSentences { get; init; } = true;

    /// <summary>Gets the vocabulary options (size, minimum count, special tokens). Default: no limit, no special tokens.</summary>
    public VocabularyOptions Vocabulary { get; init; } = new();
}
