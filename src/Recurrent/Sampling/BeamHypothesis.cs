namespace Recurrent.Sampling;

/// <summary>One finished beam-search hypothesis.</summary>
/// <param name="TokenIds">The generated ids: not the prompt, not the stop token.</param>
/// <param name="LogProbability">The natural-log probability of the ids (and of the stop token when it ended on one).</param>
/// <param name="Score">The length-normalised score used for ranking: <c>LogProbability / length^α</c>.</param>
/// <param name="Reason">Why the hypothesis ended.</param>
internal sealed record BeamHypothesis(int[] TokenIds, double LogProbability, double Score, StopReason Reason);
