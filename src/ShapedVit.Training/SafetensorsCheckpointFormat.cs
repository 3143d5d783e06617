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
