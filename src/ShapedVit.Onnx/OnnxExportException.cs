namespace ShapedVit.Onnx;

/// <summary>An export that could not be done. The message is one line; no file (nor a partial one) was left behind.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>An export failure; <paramref name="message"/> is folded to one line.</summary>
    public OnnxExportException(string message, Exception? inner = null) : base(OneLine(message), inner) { }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
