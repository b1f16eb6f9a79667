namespace Recurrent.Cli;

/// <summary>
/// A mistake the user can fix (a missing file, a wrong column, a corrupt model file, an empty corpus, an option out
/// of range, a prompt the model cannot read): printed as one line on stderr, without a stack trace unless
/// <c>--verbose</c> is given.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
