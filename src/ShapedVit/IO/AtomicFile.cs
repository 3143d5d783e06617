using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ShapedVit.IO;

/// <summary>
/// Writes a file so that readers see either the old or the new content: a temporary file in the same folder, flushed to
/// disk, then renamed over the target. The temporary file is named <c>.NAME.PID.GUID.tmp</c> and held under an exclusive
/// lock while it is written; one left behind by a writer that was killed (<c>kill -9</c>, power loss) is removed by the
/// next write to the same target, once its process is gone and its lock is free.
/// </summary>
public static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the target is untouched and the
    /// temporary file removed. Stale temporary files of earlier writes to <paramref name="path"/> are removed first (see
    /// <see cref="AtomicFile"/>).
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="bufferSize">The file stream's buffer.</param>
    public static void Write(string path, Action<Stream> write, int bufferSize = 1 << 20)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        RemoveStaleTemporaries(fullPath);
        string temporary = Path.Combine(directory, $"{TemporaryPrefix(fullPath)}{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            // FileShare.None takes an exclusive lock (flock on Unix) that tells a cleaner this file is being written.
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true); // rename(2): atomic within one file system
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } // best effort: the target is untouched either way
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));

    private static string TemporaryPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    /// <summary>
    /// Removes the temporary files of earlier writes to <paramref name="fullPath"/> whose writer is gone: the name must be
    /// exactly ours (prefix, a process id, a 32-digit GUID, ".tmp"), the process must not be running (in this process's view),
    /// and the file must not be locked (which also protects a live writer in another PID namespace). Best effort: a file
    /// that cannot be checked or removed is left.
    /// </summary>
    private static void RemoveStaleTemporaries(string fullPath)
    {
        string prefix = TemporaryPrefix(fullPath);
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(Path.GetDirectoryName(fullPath)!, ".*" + TemporarySuffix).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string candidate in candidates)
        {
            string name = Path.GetFileName(candidate);
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !TryParseOwner(name.AsSpan(prefix.Length), out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            try
            {
                // Opening with FileShare.None fails while the writer holds its lock; DeleteOnClose removes it under our lock.
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>"PID.GUID.tmp" with a positive decimal process id and 32 hexadecimal digits.</summary>
    private static bool TryParseOwner(ReadOnlySpan<char> rest, out int pid)
    {
        pid = 0;
        int dot = rest.IndexOf('.');
        if (dot < 1 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid < 1) return false;
        var guid = rest[(dot + 1)..];
        return guid.Length == 32 + TemporarySuffix.Length && guid.EndsWith(TemporarySuffix, StringComparison.Ordinal) &&
               Guid.TryParseExact(guid[..32], "N", out _);
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }
}
