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

    /// <summary>The largest crop side accepted (pixels): far above any published ViT's input, small enough that a tensor of it fits memory.</summary>
    public const int MaxSize = 4096;
    /// <summary>The largest resized short side, floor(size / crop_pct), accepted (pixels).</summary>
    public const int MaxScaleSize = 1 << 20;
    /// <summary>The smallest standard deviation accepted: pixels in 0..1 then stay within +-1,000.</summary>
    public const float MinStd = 1e-3f;

    /// <summary>
    /// What is wrong with the numbers, one line each, each starting with the field at fault in timm's naming (nothing for a
    /// usable configuration): size in [1, <see cref="MaxSize"/>], crop_pct in (0, 1] with floor(size / crop_pct) at most
    /// <see cref="MaxScaleSize"/>, 1 or 3 channels, as many mean and std values as channels, each mean in [0, 1], each std in
    /// [<see cref="MinStd"/>, 1]. NaN and infinities are outside every range.
    /// </summary>
    public IEnumerable<string> Problems()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (Size < 1 || Size > MaxSize) yield return string.Create(culture, $"input_size: the size {Size} is outside [1, {MaxSize}].");
        if (!(CropPct > 0 && CropPct <= 1)) yield return string.Create(culture, $"crop_pct: {CropPct} is outside (0, 1].");
        else if (Size >= 1 && !(Size / CropPct <= MaxScaleSize))
            yield return string.Create(culture, $"crop_pct: {CropPct} resizes the short side to {Math.Floor(Size / CropPct)} pixels, over the limit of {MaxScaleSize}.");
        if (Channels is not (1 or 3)) yield return $"input_size: channels must be 1 or 3 (got {Channels}).";
        if (Mean.Length != Channels || Std.Length != Channels) yield return $"mean, std: {Channels} value(s) each are needed (got {Mean.Length} and {Std.Length}).";
        for (int i = 0; i < Mean.Length; i++)
            if (!(Mean[i] >= 0 && Mean[i] <= 1)) yield return string.Create(culture, $"mean[{i}]: {Mean[i]} is outside [0, 1] (pixels are scaled to 0..1).");
        for (int i = 0; i < Std.Length; i++)
            if (!(Std[i] >= MinStd && Std[i] <= 1)) yield return string.Create(culture, $"std[{i}]: {Std[i]} is outside [{MinStd}, 1].");
    }

    /// <summary>Value equality over the numbers (a record compares arrays by reference).</summary>
    public bool Equals(PreprocessConfig? other) =>
        other is not null && Size == other.Size && CropPct.Equals(other.CropPct) && Channels == other.Channels &&
        Interpolation == other.Interpolation && Mean.AsSpan().SequenceEqual(other.Mean) && Std.AsSpan().SequenceEqual(other.Std);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Size, CropPct, Channels, Interpolation, Mean.Length);
}
