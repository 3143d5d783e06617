using System.Text;
using ShapedVit.Checkpoints;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// The trainer's checkpoints as safetensors, through the project's Checkpoints library (<see cref="Safetensors"/>:
/// atomic writes, a reader that validates every rule of the format). Errors are <see cref="CheckpointException"/>s
/// (an <see cref="IOException"/>) naming the file.
/// </summary>
public sealed class SafetensorsCheckpointFormat : ICheckpointFormat
{
    public static readonly SafetensorsCheckpointFormat Instance = new();

    public void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Safetensors.Write(path, tensors.Select(t => KeyValuePair.Create(t.Name, t.Tensor)), metadata);
    }

    public CheckpointContents Read(string path)
    {
        using var file = Safetensors.ReadAll(path);
        return new CheckpointContents(file.Detach(), file.Metadata);
    }

    public IReadOnlyDictionary<string, string> ReadMetadata(string path) => Safetensors.ReadHeader(path).Metadata;
}

/// <summary>Writes a file so that readers see either the old or the new content: a temporary file in the same folder, flushed to disk, then renamed over the target.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
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

    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
}
