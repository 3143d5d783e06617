namespace ShapedVit.Checkpoints;

/// <summary>Which rule of the safetensors format or of checkpoint loading was broken.</summary>
public enum CheckpointRule
{
    /// <summary>The file could not be opened, read or written.</summary>
    Io,
    /// <summary>Fewer than the 8 bytes of the header length.</summary>
    FileTooShort,
    /// <summary>The header length exceeds <see cref="Checkpoints.Safetensors.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,
    /// <summary>The header length points past the end of the file.</summary>
    HeaderBeyondFile,
    /// <summary>The header is not valid UTF-8.</summary>
    HeaderNotUtf8,
    /// <summary>The header is not a JSON object (syntax error, or it does not start with '{').</summary>
    HeaderNotJson,
    /// <summary>A key occurs twice in the same JSON object.</summary>
    DuplicateKey,
    /// <summary>A tensor entry lacks dtype, shape or data_offsets, has other fields, or has values of the wrong JSON type.</summary>
    InvalidTensorEntry,
    /// <summary>The dtype is not one the format defines.</summary>
    UnknownDtype,
    /// <summary><c>__metadata__</c> is not a map of strings to strings.</summary>
    InvalidMetadata,
    /// <summary>Data offsets do not start at 0, overlap, leave gaps or end before they begin.</summary>
    InvalidOffsets,
    /// <summary>Shape x dtype size does not fit a 64-bit integer.</summary>
    SizeOverflow,
    /// <summary>A tensor of sub-byte elements does not fill whole bytes.</summary>
    MisalignedSize,
    /// <summary>A tensor's byte range differs from shape x dtype size.</summary>
    SizeMismatch,
    /// <summary>The tensor data does not end exactly at the end of the file.</summary>
    DataEndMismatch,
    /// <summary>The dtype is valid safetensors but has no TorchSharp equivalent (unsigned 16/32/64-bit, 4/6/8-bit floats, complex).</summary>
    UnsupportedDtype,
    /// <summary>libtorch could not create a tensor the header describes validly (a rank or size it does not support, or no memory).</summary>
    TensorNotCreated,
    /// <summary>A tensor given to the writer cannot be stored (name, dtype).</summary>
    InvalidTensor,
    /// <summary>The keys follow no single known naming (timm, torchvision, Hugging Face).</summary>
    UnknownNaming,
    /// <summary>Strict loading found missing, unexpected, wrong-shaped or wrong-dtype tensors.</summary>
    KeyMismatch,
    /// <summary>A known <c>__metadata__</c> entry (labels, preprocessing, training state) is malformed.</summary>
    MetadataMalformed,
    /// <summary>The checkpoint records another architecture than the model it is loaded into.</summary>
    ArchitectureMismatch,
    /// <summary>A trainer's state file does not belong to this run (no training state, other data or other options).</summary>
    TrainingStateMismatch,
    /// <summary>A trainer's state file was given where model weights were expected.</summary>
    TrainingStateFile,
    /// <summary>The file is of another format (a PyTorch zip or pickle, ONNX, GGUF, a Git LFS pointer, HTML, gzip, JSON or text); the message says which.</summary>
    NotSafetensors,
}

/// <summary>
/// A checkpoint that breaks a rule of the safetensors format or does not fit the model. The message names the file, the
/// tensor (where there is one) and the rule; nothing of the model or file is changed when this is thrown. Text from the
/// file (tensor names, metadata values) appears in the message only through <see cref="UntrustedText.Display"/>: one
/// line, no control characters, bounded length.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>A broken rule, as the one-line message "path: tensor 'name': [Rule] detail".</summary>
    /// <param name="rule">The rule broken.</param>
    /// <param name="tensorName">The tensor at fault, or null.</param>
    /// <param name="detail">What is wrong, and the fix where there is one.</param>
    /// <param name="path">The file, or null.</param>
    /// <param name="inner">The underlying failure, or null.</param>
    public CheckpointException(CheckpointRule rule, string? tensorName, string detail, string? path = null, Exception? inner = null)
        : base(Compose(rule, tensorName, detail, path), inner)
    {
        Rule = rule;
        TensorName = tensorName;
        Path = path;
    }

    /// <summary>A strict-loading failure listing every mismatch at once.</summary>
    /// <param name="path">The checkpoint, for the message.</param>
    /// <param name="missing">Model keys the checkpoint lacks, with shapes.</param>
    /// <param name="unexpected">Checkpoint keys the model lacks, with shapes.</param>
    /// <param name="wrongShape">Keys whose shapes differ, with both shapes.</param>
    /// <param name="wrongDtype">Keys whose dtypes cannot be converted.</param>
    /// <param name="note">One more line saying what the file seems to be, or null.</param>
    public CheckpointException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> wrongShape,
                               IReadOnlyList<string> wrongDtype, string? note = null)
        : base(ComposeMismatch(path, missing, unexpected, wrongShape, wrongDtype, note))
    {
        Rule = CheckpointRule.KeyMismatch;
        Path = path;
        Missing = missing;
        Unexpected = unexpected;
        WrongShape = wrongShape;
        WrongDtype = wrongDtype;
    }

    /// <summary>The rule broken.</summary>
    public CheckpointRule Rule { get; }
    /// <summary>The tensor at fault, or null when the rule concerns the whole file.</summary>
    public string? TensorName { get; }
    /// <summary>The checkpoint file, or null when it was read from memory.</summary>
    public string? Path { get; }
    /// <summary>Model keys (timm naming) the checkpoint lacks, with their shapes.</summary>
    public IReadOnlyList<string> Missing { get; } = [];
    /// <summary>Checkpoint keys the model does not have.</summary>
    public IReadOnlyList<string> Unexpected { get; } = [];
    /// <summary>Keys present in both with different shapes.</summary>
    public IReadOnlyList<string> WrongShape { get; } = [];
    /// <summary>Keys present in both whose dtypes cannot be converted (only floating point converts to floating point).</summary>
    public IReadOnlyList<string> WrongDtype { get; } = [];

    /// <summary>The most characters of a detail a message shows: details quote the file only in short excerpts, this is the backstop.</summary>
    private const int MaxDetailLength = 2000;

    private static string Compose(CheckpointRule rule, string? tensorName, string detail, string? path) =>
        (path is null ? "" : $"{path}: ") + (tensorName is null ? "" : $"tensor '{UntrustedText.Display(tensorName)}': ") +
        $"[{rule}] {UntrustedText.Display(detail, MaxDetailLength)}";

    /// <summary>How many keys of each kind a message lists before "and N more" (the properties hold them all).</summary>
    internal const int ListedKeys = 10;

    /// <summary>The most characters of one listed key (with its shapes) a message shows.</summary>
    private const int ListedItemLength = 300;

    private static string ComposeMismatch(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
                                          IReadOnlyList<string> wrongShape, IReadOnlyList<string> wrongDtype, string? note)
    {
        var text = new System.Text.StringBuilder($"{path}: [{CheckpointRule.KeyMismatch}] the checkpoint does not fit the model; nothing was loaded.");
        if (note is not null) text.Append($"\n  note: {UntrustedText.Display(note, MaxDetailLength)}.");
        void Section(string title, IReadOnlyList<string> items)
        {
            if (items.Count == 0) return;
            text.Append($"\n  {title} ({items.Count}):");
            foreach (var item in items.Take(ListedKeys)) text.Append("\n    ").Append(UntrustedText.Display(item, ListedItemLength));
            if (items.Count > ListedKeys) text.Append($"\n    and {items.Count - ListedKeys} more");
        }
        Section("missing", missing);
        Section("unexpected", unexpected);
        Section("wrong shape", wrongShape);
        Section("wrong dtype", wrongDtype);
        return text.ToString();
    }
}
