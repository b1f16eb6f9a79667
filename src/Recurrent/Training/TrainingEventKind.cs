namespace Recurrent.Training;

/// <summary>The occasion on which a <see cref="TrainingProgress"/> was reported.</summary>
public enum TrainingEventKind
{
    /// <summary>A periodic report every <see cref="TrainerOptions.ProgressInterval"/> steps.</summary>
    Step = 0,

    /// <summary>An evaluation (validation loss computed when validation data is given).</summary>
    Evaluation = 1,

    /// <summary>The end of an epoch (an evaluation at the epoch boundary).</summary>
    EpochEnd = 2,
}
