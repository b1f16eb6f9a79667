namespace Recurrent.Models;

/// <summary>Whether a forward pass trains (caches activations, applies dropout) or only evaluates.</summary>
public enum ForwardMode
{
    /// <summary>Evaluation: no dropout, nothing cached for backward.</summary>
    Evaluate = 0,

    /// <summary>Training: dropout on when configured, activations cached for <see cref="IRecurrentModel.Backward"/>.</summary>
    Train = 1,
}
