namespace Recurrent.Training;

/// <summary>Thrown when training produced a non-finite loss or gradient and the divergence policy gave up.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public TrainingDivergedException()
        : base("Training diverged: a loss or gradient was not finite.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the optimizer step (1-based number of the step that failed) at which divergence was detected.</summary>
    public long Step { get; init; }
}
