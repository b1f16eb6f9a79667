namespace Recurrent.Sampling;

/// <summary>Why a generated sequence ended.</summary>
internal enum StopReason
{
    /// <summary>A stop token (e.g. the sentence-end token) was drawn; it is not part of the output.</summary>
    StopToken = 0,

    /// <summary>The sequence reached <see cref="SamplingOptions.MaxLength"/> tokens.</summary>
    MaxLength = 1,

    /// <summary>The text ended with one of <see cref="SamplingOptions.StopStrings"/>; it is not part of the output.</summary>
    StopString = 2,
}
