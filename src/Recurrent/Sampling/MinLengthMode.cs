namespace Recurrent.Sampling;

/// <summary>How <see cref="SamplingOptions.MinLength"/> is enforced.</summary>
public enum MinLengthMode
{
    /// <summary>
    /// Discard a sample that stops before the minimum length and sample it again from the prompt (as the
    /// original sentence generator did). The last of <see cref="SamplingOptions.MaxAttempts"/> attempts
    /// suppresses the stop tokens instead, so the minimum is always met.
    /// </summary>
    Resample = 0,

    /// <summary>Give the stop tokens zero probability until the minimum length is reached (one attempt).</summary>
    SuppressStop = 1,
}
