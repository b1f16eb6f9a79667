namespace Recurrent.Training;

/// <summary>The scalar part of a run's state: data position, counters, running loss sums and the divergence scale.</summary>
internal sealed class TrainingCounters
{
    /// <summary>Gets or sets the current epoch (0-based).</summary>
    public int Epoch { get; set; }

    /// <summary>Gets or sets the index of the next batch of the current epoch; equal to the batch count when the epoch's end is pending.</summary>
    public int BatchIndex { get; set; }

    /// <summary>Gets or sets the number of optimizer steps taken.</summary>
    public long Step { get; set; }

    /// <summary>Gets or sets the number of training target tokens processed.</summary>
    public long Tokens { get; set; }

    /// <summary>Gets or sets the multiplier on the scheduled rate left by divergence roll-backs (starts at 1, halves per roll-back).</summary>
    public double LearningRateScale { get; set; } = 1.0;

    /// <summary>Gets or sets the best validation loss so far (NaN before the first).</summary>
    public double BestValidationLoss { get; set; } = double.NaN;

    /// <summary>Gets or sets the number of consecutive evaluations without improvement (early stopping).</summary>
    public int EvaluationsWithoutImprovement { get; set; }

    /// <summary>Gets or sets the total number of roll-backs.</summary>
    public int Divergences { get; set; }

    /// <summary>Gets or sets the number of roll-backs since the last good snapshot.</summary>
    public int ConsecutiveDivergences { get; set; }

    /// <summary>Gets or sets the loss sum since the last step report.</summary>
    public double ReportLossSum { get; set; }

    /// <summary>Gets or sets the token count since the last step report.</summary>
    public double ReportTokens { get; set; }

    /// <summary>Gets or sets the loss sum since the last evaluation.</summary>
    public double EvaluationLossSum { get; set; }

    /// <summary>Gets or sets the token count since the last evaluation.</summary>
    public double EvaluationTokens { get; set; }

    /// <summary>Gets or sets the loss sum of the current epoch.</summary>
    public double EpochLossSum { get; set; }

    /// <summary>Gets or sets the token count of the current epoch.</summary>
    public double EpochTokens { get; set; }

    /// <summary>Gets or sets the learning rate of the last step.</summary>
    public double LastLearningRate { get; set; } = double.NaN;

    /// <summary>Gets or sets the gradient norm of the last step.</summary>
    public double LastGradientNorm { get; set; } = double.NaN;

    /// <summary>Gets or sets the training time of earlier sessions and this one up to the last capture, in ticks.</summary>
    public long ElapsedTicks { get; set; }

    /// <summary>Copies every field into <paramref name="destination"/>.</summary>
    public void CopyTo(TrainingCounters destination)
    {
        destination.Epoch = Epoch;
        destination.BatchIndex = BatchIndex;
        destination.Step = Step;
        destination.Tokens = Tokens;
        destination.LearningRateScale = LearningRateScale;
        destination.BestValidationLoss = BestValidationLoss;
        destination.EvaluationsWithoutImprovement = EvaluationsWithoutImprovement;
        destination.Divergences = Divergences;
        destination.ConsecutiveDivergences = ConsecutiveDivergences;
        destination.ReportLossSum = ReportLossSum;
        destination.ReportTokens = ReportTokens;
        destination.EvaluationLossSum = EvaluationLossSum;
        destination.EvaluationTokens = EvaluationTokens;
        destination.EpochLossSum = EpochLossSum;
        destination.EpochTokens = EpochTokens;
        destination.LastLearningRate = LastLearningRate;
        destination.LastGradientNorm = LastGradientNorm;
        destination.ElapsedTicks = ElapsedTicks;
    }
}
