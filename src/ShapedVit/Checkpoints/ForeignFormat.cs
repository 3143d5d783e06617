using System.Text;
using System.Text.Unicode;

namespace ShapedVit.Checkpoints;

/// <summary>
/// Recognises files that are not safetensors by their first bytes, so that a wrong file is named for what it is instead of
/// as a nonsensical header length. Only consulted once the safetensors reading has already failed.
/// </summary>
internal static class ForeignFormat
{
    /// <summary>How many leading bytes <see cref="Describe"/> looks at.</summary>
    public const int SniffBytes = 64;

    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> Hdf5 => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> NumPy => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>What the file is, as the end of the sentence "the file is ...", or null when the bytes match no known format.</summary>
    public static string? Describe(ReadOnlySpan<byte> start, long fileLength)
    {
        if (start.StartsWith("PK\u0003\u0004"u8) || start.StartsWith("PK\u0005\u0006"u8))
            return "a zip archive, the format of PyTorch's torch.save (.pt, .pth, .bin), not safetensors; convert it in Python with " +
                   "safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')";
        if (start.Length >= 2 && start[0] == 0x80 && start[1] is >= 2 and <= 5)
            return "a Python pickle, the format of older PyTorch checkpoints (.pt, .pth, .bin), not safetensors; convert it in Python with " +
                   "safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')";
        if (start.StartsWith(Png))
            return "a PNG image, not a checkpoint";
        if (start.Length >= 3 && start[0] == 0xFF && start[1] == 0xD8 && start[2] == 0xFF)
            return "a JPEG image, not a checkpoint";
        if (start.Length >= 12 && start.StartsWith("RIFF"u8) && start[8..12].SequenceEqual("WEBP"u8))
            return "a WebP image, not a checkpoint";
        if (start.StartsWith(Hdf5))
            return "an HDF5 file (Keras .h5 weights), not safetensors";
        if (start.StartsWith(NumPy))
            return "a NumPy array (.npy), not safetensors";
        if (start.StartsWith("GGUF"u8))
            return "a GGUF file (llama.cpp's format), not safetensors";
        if (start.Length >= 2 && start[0] == 0x1F && start[1] == 0x8B)
            return "gzip-compressed; decompress it first (gunzip)";
        if (start.StartsWith("version https://git-lfs"u8))
            return "a Git LFS pointer, not the weights it points to; fetch them with git lfs pull";
        if (LooksLikeOnnx(start))
            return "an ONNX model (protobuf), not safetensors; it runs with ONNX Runtime, not LoadSafetensors";
        if (!TryText(start, out string text)) return null;
        string trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (trimmed.StartsWith('<'))
            return $"an HTML or XML page (it starts \"{Excerpt(trimmed)}\"), perhaps an error or login page saved in place of the download";
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
            return $"a JSON document (it starts \"{Excerpt(trimmed)}\"), perhaps a config.json or the index of a sharded checkpoint, not safetensors";
        return $"text (it starts \"{Excerpt(trimmed)}\"), not safetensors";
    }

    /// <summary>The first 32 characters, escaped, with "..." when there are more.</summary>
    private static string Excerpt(string text) =>
        text.Length <= 32 ? UntrustedText.Display(text, 32) : UntrustedText.Display(text[..32], 32) + "...";

    /// <summary>
    /// An ONNX ModelProto opens with field 1, ir_version (tag 0x08), a small varint, then another field's tag: producer_name
    /// (0x12), producer_version (0x1A), domain (0x22), model_version (0x28), doc_string (0x32), graph (0x3A) or opset_import (0x42).
    /// </summary>
    private static bool LooksLikeOnnx(ReadOnlySpan<byte> start) =>
        start.Length >= 3 && start[0] == 0x08 && start[1] is >= 1 and <= 20 && start[2] is 0x12 or 0x1A or 0x22 or 0x28 or 0x32 or 0x3A or 0x42;

    /// <summary>Whether the bytes read as text: UTF-8 (a sequence cut at the end is allowed) without control characters other than whitespace.</summary>
    private static bool TryText(ReadOnlySpan<byte> start, out string text)
    {
        text = "";
        var decoded = new char[start.Length];
        var status = Utf8.ToUtf16(start, decoded, out _, out int written, replaceInvalidSequences: false, isFinalBlock: false);
        if (status is not (System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.NeedMoreData)) return false;
        foreach (char c in decoded.AsSpan(0, written))
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n')) return false;
        text = new string(decoded, 0, written);
        return written > 0;
    }
}
