using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>Named tensors (on the CPU) and string metadata read from a checkpoint file. Owns the tensors.</summary>
public sealed class CheckpointContents : IDisposable
{
    public CheckpointContents(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors; Metadata = metadata;
    }

    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

/// <summary>
/// The file format the trainer saves to, kept behind this interface so the trainer does not depend on one implementation
/// (today <see cref="SafetensorsCheckpointFormat"/>; the project's Checkpoints library can plug in here).
/// </summary>
public interface ICheckpointFormat
{
    /// <summary>Writes the tensors and metadata; a reader never sees a half-written file (write a temporary file, flush, rename).</summary>
    void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata);

    /// <summary>Reads every tensor (to the CPU) and the metadata.</summary>
    CheckpointContents Read(string path);

    /// <summary>Reads only the metadata (cheap: the header).</summary>
    IReadOnlyDictionary<string, string> ReadMetadata(string path);
}
