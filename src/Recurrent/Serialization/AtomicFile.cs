namespace Recurrent.Serialization;

/// <summary>Writes a file so that readers see either the old file or the complete new one, never a torn write.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes to a temporary file in the destination's directory, flushes it to disk, and renames it over
    /// <paramref name="path"/>. On failure the temporary file is removed and the exception propagates.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="write">Writes the whole content to the given stream.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException("The path has no directory.", nameof(path));
        string temporary = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        bool moved = false;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                DeleteTemporary(temporary);
            }
        }
    }

    private static void DeleteTemporary(string temporary)
    {
        // Best-effort cleanup while another exception is already propagating: a failure to delete
        // must not replace the original error, which is the one the caller needs to see.
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
