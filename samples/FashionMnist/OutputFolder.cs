using ShapedVit.Samples.Shared;
namespace ShapedVit.Samples.FashionMnist;

/// <summary>
/// The start-of-run check of the output folder: it can be created, a file can be written in it, and its file system has
/// room for one checkpoint, so a read-only or full <c>--out</c> is reported before the first epoch, not after it.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Bytes one checkpoint needs: the model file (weights, float32) and the state file (weights and AdamW's two moments),
    /// written side by side before the old ones are replaced, plus 1 MiB for headers and the plot.
    /// </summary>
    public static long CheckpointBytes(long parameters) => 4 * sizeof(float) * parameters + (1 << 20);

    /// <summary>
    /// Creates <paramref name="folder"/>, writes and deletes a probe file in it, and checks that
    /// <paramref name="freeBytes"/> (default: the drive's available space) is at least <paramref name="neededBytes"/>.
    /// Throws <see cref="IOException"/> with one line naming the folder otherwise.
    /// </summary>
    public static void Check(string folder, long neededBytes, Func<string, long>? freeBytes = null)
    {
        string probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.WriteByte(0);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"--out {folder}: cannot write there ({SampleCommandLine.OneLine(e.Message)}); choose a writable folder.", e);
        }
        long free = (freeBytes ?? AvailableBytes)(folder);
        if (free < neededBytes)
            throw new IOException($"--out {folder}: {Megabytes(free)} free, a checkpoint needs {Megabytes(neededBytes)}; free some space or choose another folder.");
    }

    private static long AvailableBytes(string folder) => new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;

    private static string Megabytes(long bytes) => $"{bytes / 1e6:F1} MB";

}
