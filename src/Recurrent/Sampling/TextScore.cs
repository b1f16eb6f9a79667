namespace Recurrent.Sampling;

/// <summary>How likely a text is under a model.</summary>
/// <param name="LogProbability">The natural-log probability of the scored tokens, each given the ones before it.</param>
/// <param name="TokenCount">The number of scored (predicted) tokens.</param>
/// <param name="TokenLogProbabilities">The log-probability of each scored token, in order.</param>
public sealed record TextScore(double LogProbability, int TokenCount, IReadOnlyList<double> TokenLogProbabilities)
{
    /// <summary>Gets the mean cross-entropy per token in nats (<c>−LogProbability / TokenCount</c>; NaN when nothing was scored).</summary>
    public double CrossEntropy => TokenCount > 0 ? -LogProbability / TokenCount : double.NaN;

    /// <summary>Gets the perplexity <c>exp(CrossEntropy)</c>.</summary>
    public double Perplexity => Math.Exp(CrossEntropy);

    /// <summary>Gets the mean cross-entropy per token in bits (<c>CrossEntropy / ln 2</c>).</summary>
    public double BitsPerToken => CrossEntropy / Math.Log(2);
}
