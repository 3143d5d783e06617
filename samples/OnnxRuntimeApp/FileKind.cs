using ShapedVit.Vision;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>
/// What a path is, asked before it is opened: ShapedVit.Vision's own check (FileKinds.cs, linked into this tool as source,
/// since the tool cannot reference a package that brings TorchSharp), in this tool's words for a folder.
/// </summary>
internal static class FileKind
{
    /// <summary>Null for a regular file or a missing path; otherwise what it is, in words. Symbolic links are followed.</summary>
    public static string? NotRegular(string path) => Directory.Exists(path) ? "a folder" : FileKinds.NotRegular(path);
}
