namespace ShapedVit.Samples.Classify;

public enum NormalizationPreset { Checkpoint, ImageNet, Inception }

/// <summary>What the command line can set.</summary>
public sealed record ClassifyOptions
{
    public IReadOnlyList<string> Images { get; init; } = [];
    public string Checkpoint { get; init; } = DefaultCheckpoint;
    public string? LabelsFile { get; init; }
    /// <summary>The catalogue model to build (timm or torchvision name); null: the one the checkpoint's metadata names.</summary>
    public string? Model { get; init; }
    /// <summary>Start from <see cref="Model"/>'s pretrained weights on the Hugging Face Hub (downloaded, or reused from
    /// huggingface_hub's cache) instead of a checkpoint file: <c>--model NAME</c> without <c>--checkpoint</c>.</summary>
    public bool Pretrained { get; init; }
    /// <summary>Use the Hub cache only and send no request (<c>--offline</c>, as HF_HUB_OFFLINE=1).</summary>
    public bool Offline { get; init; }
    /// <summary>Export the checkpoint's model to this ONNX file (labels and preprocessing in its metadata) and exit, instead of classifying.</summary>
    public string? ExportOnnxPath { get; init; }
    public int Top { get; init; } = 5;
    public string Device { get; init; } = "cpu";
    public long MaxPixels { get; init; } = Vision.ImageDecoder.DefaultMaxPixels;
    /// <summary>Refuse images with a side longer than this (the header is read first, nothing is decoded).</summary>
    public int MaxDimension { get; init; } = Vision.ImageDecoder.DefaultMaxDimension;
    /// <summary>Turn images upright by their EXIF orientation (Hugging Face's behaviour) rather than use the stored pixels (timm's).</summary>
    public bool ApplyExifOrientation { get; init; } = true;
    /// <summary>Where to write the attention-rollout heat map; with several images, "-N" is added before the extension.</summary>
    public string? AttentionPath { get; init; }
    public NormalizationPreset Normalization { get; init; } = NormalizationPreset.Checkpoint;
    public double? CropPct { get; init; }
    public float[]? Mean { get; init; }
    public float[]? Std { get; init; }

    /// <summary>The checkpoint the FashionMnist sample writes with its default --out.</summary>
    public static string DefaultCheckpoint => Path.Combine("runs", "fashion-mnist", "model.safetensors");

    public IEnumerable<string> Problems()
    {
        if (Images.Count == 0 && ExportOnnxPath is null) yield return "give at least one image (or --export-onnx OUT.onnx).";
        if (Images.Count > 0 && ExportOnnxPath is not null) yield return "--export-onnx exports the model and exits: give no images with it.";
        if (Pretrained && Model is null) yield return "pretrained weights need --model NAME (timm's arch.tag or hf-hub:org/repo).";
        if (Top < 1) yield return $"--top must be at least 1 (got {Top}).";
        if (MaxPixels < 1) yield return $"--max-pixels must be positive (got {MaxPixels}).";
        if (MaxDimension < 1) yield return $"--max-dimension must be positive (got {MaxDimension}).";
        if (ShapedVit.Samples.Shared.SampleCommandLine.DeviceProblem(Device) is { } device) yield return device;
        if (CropPct is double c && !(c > 0 && c <= 1)) yield return $"--crop-pct must be in (0, 1] (got {c}).";
        if (Mean is not null && Std is not null && Mean.Length != Std.Length) yield return "--mean and --std need the same number of values.";
        if (Std is not null && Std.Any(s => !(s > 0))) yield return "--std values must be positive.";
    }
}
