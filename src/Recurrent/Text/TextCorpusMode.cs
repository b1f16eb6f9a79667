namespace Recurrent.Text;

/// <summary>How <see cref="TextCorpus"/> cuts a text file into documents.</summary>
public enum TextCorpusMode
{
    /// <summary>The whole file is one document.</summary>
    Whole = 0,

    /// <summary>Each non-blank line is a document (e.g. one sentence per line, as in the Penn Treebank).</summary>
    Lines = 1,

    /// <summary>Blank lines separate documents; the lines of a paragraph are joined with <c>\n</c>.</summary>
    Paragraphs = 2,
}
