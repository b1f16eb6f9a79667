namespace Recurrent.Models;

/// <summary>A summed cross-entropy (natural log) and the number of positions it covers.</summary>
/// <param name="Sum">The summed negative log-likelihood in nats.</param>
/// <param name="Count">The number of positions counted (the sum of the mask).</param>
public readonly record struct LossSum(double Sum, double Count)
{
    /// <summary>Gets the mean loss per position (nats), or NaN when nothing was counted.</summary>
    public double Mean => Count > 0 ? Sum / Count : double.NaN;

    /// <summary>Gets the perplexity <c>exp(Mean)</c>.</summary>
    public double Perplexity => Math.Exp(Mean);

    /// <summary>Adds two sums.</summary>
    /// <param name="left">The first sum.</param>
    /// <param name="right">The second sum.</param>
    /// <returns>The combined sum.</returns>
    public static LossSum operator +(LossSum left, LossSum right) => new(left.Sum + right.Sum, left.Count + right.Count);

    /// <summary>Adds two sums.</summary>
    /// <param name="left">The first sum.</param>
    /// <param name="right">The second sum.</param>
    /// <returns>The combined sum.</returns>
    public static LossSum Add(LossSum left, LossSum right) => left + right;
}
