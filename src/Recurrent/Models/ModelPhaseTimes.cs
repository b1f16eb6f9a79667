using System.Diagnostics;

namespace Recurrent.Models;

/// <summary>
/// Accumulated wall-clock time per phase of <see cref="RecurrentLanguageModel"/> training and evaluation passes, in
/// <see cref="Stopwatch"/> ticks. Attach one to <see cref="RecurrentLanguageModel.PhaseTimes"/> to profile; with none
/// attached the model takes no timestamps.
/// </summary>
internal sealed class ModelPhaseTimes
{
    /// <summary>Gets or sets the time spent in embedding lookups (forward) and their scatter-add (backward).</summary>
    public long Embedding { get; set; }

    /// <summary>Gets or sets the time spent running the recurrent layers forward (input projections, recurrent GEMMs, cells).</summary>
    public long RecurrentForward { get; set; }

    /// <summary>Gets or sets the time spent in the decoder forward product (logits).</summary>
    public long DecoderForward { get; set; }

    /// <summary>Gets or sets the time spent in softmax cross-entropy (and its gradient).</summary>
    public long Loss { get; set; }

    /// <summary>Gets or sets the time spent in the decoder backward products (weight, bias and input gradients).</summary>
    public long DecoderBackward { get; set; }

    /// <summary>Gets or sets the time spent back-propagating through the recurrent layers.</summary>
    public long RecurrentBackward { get; set; }

    /// <summary>Sets every counter to zero.</summary>
    public void Clear()
    {
        Embedding = RecurrentForward = DecoderForward = Loss = DecoderBackward = RecurrentBackward = 0;
    }
}
