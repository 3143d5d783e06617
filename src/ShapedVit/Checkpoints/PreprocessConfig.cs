namespace ShapedVit.Checkpoints;

/// <summary>The resampling filter of the resize step (timm's <c>interpolation</c>).</summary>
public enum Interpolation
{
    /// <summary>Bicubic (timm's ViTs, DeiT).</summary>
    Bicubic,
    /// <summary>Bilinear (torchvision's ViTs).</summary>
    Bilinear,
}

/// <summary>
/// How a model's images are prepared for evaluation, as timm's <c>pretrained_cfg</c> states it: resize the short side to
/// floor(<see cref="Size"/> / <see cref="CropPct"/>), centre-crop <see cref="Size"/> x <see cref="Size"/>, scale to 0..1 and
/// normalise each channel with <see cref="Mean"/> and <see cref="Std"/>. Grey models (1 channel) see the luminance.
/// </summary>
/// <param name="Size">Side of the square crop the model sees, in pixels.</param>
/// <param name="CropPct">Crop ratio in (0, 1]: the crop's share of the resized short side.</param>
/// <param name="Mean">Per-channel mean of pixels scaled to 0..1.</param>
/// <param name="Std">Per-channel standard deviation of pixels scaled to 0..1.</param>
/// <param name="Channels">Input channels: 3 (RGB) or 1 (grey).</param>
public sealed record PreprocessConfig(int Size, double CropPct, float[] Mean, float[] Std, int Channels = 3)
{
    /// <summary>ImageNet's per-channel mean (RGB).</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];
    /// <summary>ImageNet's per-channel standard deviation (RGB).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>The resize filter; bicubic unless stated.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bicubic;

    /// <summary>ImageNet statistics, crop 0.875, bicubic (DeiT, timm's original ViTs).</summary>
    public static PreprocessConfig ImageNet(int size = 224) => new(size, 0.875, [.. ImageNetMean], [.. ImageNetStd]);

    /// <summary>Mean and std 0.5, crop 0.9, bicubic (timm's augreg ViTs).</summary>
    public static PreprocessConfig Inception(int size = 224) => new(size, 0.9, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);

    /// <summary>The resized short side: floor(size / crop_pct), as timm computes it.</summary>
    public int ScaleSize => (int)Math.Floor(Size / CropPct);

    /// <summary>What is wrong with the numbers, one line each (nothing for a usable configuration).</summary>
    public IEnumerable<string> Problems()
    {
        if (Size < 1) yield return $"size must be positive (got {Size}).";
        if (!(CropPct > 0 && CropPct <= 1)) yield return $"crop ratio must be in (0, 1] (got {CropPct}).";
        if (Channels is not (1 or 3)) yield return $"channels must be 1 or 3 (got {Channels}).";
        if (Mean.Length != Channels || Std.Length != Channels) yield return $"mean and std need {Channels} value(s) each (got {Mean.Length} and {Std.Length}).";
        if (Std.Any(s => !(s > 0))) yield return "std values must be positive.";
    }

    /// <summary>Value equality over the numbers (a record compares arrays by reference).</summary>
    public bool Equals(PreprocessConfig? other) =>
        other is not null && Size == other.Size && CropPct.Equals(other.CropPct) && Channels == other.Channels &&
        Interpolation == other.Interpolation && Mean.AsSpan().SequenceEqual(other.Mean) && Std.AsSpan().SequenceEqual(other.Std);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Size, CropPct, Channels, Interpolation, Mean.Length);
}
