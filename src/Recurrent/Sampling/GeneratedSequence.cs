namespace Recurrent.Sampling;

/// <summary>One generated sequence of token ids.</summary>
/// <param name="SampleIndex">The sample's index within its call (it selects the sample's random stream).</param>
/// <param name="TokenIds">The generated ids: not the prompt, not the stop token.</param>
/// <param name="Reason">Why the sequence ended.</param>
/// <param name="Attempts">How many attempts it took (more than 1 when short samples were resampled).</param>
internal sealed record GeneratedSequence(int SampleIndex, int[] TokenIds, StopReason Reason, int Attempts);
