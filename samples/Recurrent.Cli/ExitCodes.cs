namespace Recurrent.Cli;

/// <summary>The process exit codes of the console.</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Success = 0;

    /// <summary>A user error while running: missing or unreadable file, wrong column, corrupt model, empty corpus, bad prompt.</summary>
    public const int UserError = 1;

    /// <summary>The command line could not be parsed, or an option is out of range.</summary>
    public const int UsageError = 2;

    /// <summary>An unexpected failure (a bug or an environment problem): the message, and the stack trace with --verbose.</summary>
    public const int InternalError = 3;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it); the checkpoint is kept.</summary>
    public const int Cancelled = 130;
}
