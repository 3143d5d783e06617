using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Data;

/// <summary>Light augmentation for small images: a random crop of the zero-padded image (same size back) and a random horizontal flip.</summary>
/// <param name="CropPadding">Zero padding on each side before the random crop; 0: no crop.</param>
/// <param name="HorizontalFlip">Whether images are flipped left-right with probability 0.5.</param>
public sealed record AugmentationOptions(int CropPadding = 2, bool HorizontalFlip = true)
{
    /// <summary>No augmentation: no crop padding, no flip.</summary>
    public static readonly AugmentationOptions None = new(0, false);
    /// <summary>Whether these options leave every image unchanged.</summary>
    public bool IsIdentity => CropPadding == 0 && !HorizontalFlip;
}

/// <summary>Per-channel normalisation applied to bytes scaled to 0..1: (x / 255 - mean) / std.</summary>
/// <param name="Mean">Per-channel mean of pixels scaled to 0..1.</param>
/// <param name="Std">Per-channel standard deviation of pixels scaled to 0..1.</param>
public sealed record PixelNormalization(float[] Mean, float[] Std)
{
    /// <summary>One channel.</summary>
    public static PixelNormalization Grey(float mean, float std) => new([mean], [std]);

    /// <summary>The same mean and std for each of <paramref name="channels"/> channels.</summary>
    public static PixelNormalization Uniform(int channels, float mean, float std) =>
        new(Enumerable.Repeat(mean, channels).ToArray(), Enumerable.Repeat(std, channels).ToArray());

    /// <summary>The mean and std of a model's preprocessing (timm's <c>pretrained_cfg</c>, as checkpoint metadata states it).</summary>
    public static PixelNormalization From(Checkpoints.PreprocessConfig preprocessing) => new([.. preprocessing.Mean], [.. preprocessing.Std]);

    /// <summary>torchvision's form: <c>Normalize(mean=[...], std=[...])</c>, with round-trip numbers.</summary>
    public string Describe() =>
        $"Normalize(mean=[{string.Join(", ", Mean.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}], " +
        $"std=[{string.Join(", ", Std.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}])";

    // Value equality over the numbers (a record compares arrays by reference), so saved and current options compare equal.
    /// <summary>Value equality over the means and stds (element by element, not by array reference).</summary>
    public bool Equals(PixelNormalization? other) =>
        other is not null && Mean.AsSpan().SequenceEqual(other.Mean) && Std.AsSpan().SequenceEqual(other.Std);

    /// <summary>A hash consistent with <see cref="Equals(PixelNormalization?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Mean.Length, Mean.FirstOrDefault(), Std.FirstOrDefault());
}

/// <summary>
/// Builds float batches from <see cref="LabeledImages"/>: augments in managed code (so a seeded <see cref="Random"/> makes
/// every epoch reproducible, whatever the device), normalises, and hands back tensors on the CPU.
/// </summary>
public static class ImageBatches
{
    /// <summary>
    /// Writes the images at <paramref name="indices"/>, augmented with <paramref name="rng"/> when <paramref name="augmentation"/> asks for it,
    /// into <paramref name="destination"/> ([B, C, H, W] row-major) and their labels into <paramref name="labels"/>.
    /// Random numbers are drawn in a fixed order per image (offset y, offset x, flip), so the same seed gives the same batch.
    /// </summary>
    internal static void Fill(LabeledImages data, ReadOnlySpan<int> indices, Span<float> destination, Span<long> labels,
                            PixelNormalization normalization, AugmentationOptions augmentation, Random? rng)
    {
        int c = data.Channels, h = data.Height, w = data.Width, plane = h * w;
        if (destination.Length < indices.Length * c * plane || labels.Length < indices.Length)
            throw new ArgumentException("Destination is smaller than the batch.");
        if (!augmentation.IsIdentity && rng is null)
            throw new ArgumentNullException(nameof(rng), "Augmentation needs a random number generator.");
        if (normalization.Mean.Length != c || normalization.Std.Length != c)
            throw new ArgumentException($"Normalisation has {normalization.Mean.Length} means for {c} channel(s).");

        int pad = augmentation.CropPadding;
        for (int b = 0; b < indices.Length; b++)
        {
            int dy = 0, dx = 0;
            bool flip = false;
            if (pad > 0) { dy = rng!.Next(2 * pad + 1) - pad; dx = rng.Next(2 * pad + 1) - pad; }
            if (augmentation.HorizontalFlip) flip = rng!.Next(2) == 1;

            var source = data.Image(indices[b]);
            labels[b] = data.Labels[indices[b]];
            for (int ch = 0; ch < c; ch++)
            {
                float scale = 1f / (255f * normalization.Std[ch]);
                float offset = -normalization.Mean[ch] / normalization.Std[ch];
                var src = source.Slice(ch * plane, plane);
                var dst = destination.Slice((b * c + ch) * plane, plane);
                for (int y = 0; y < h; y++)
                {
                    int sy = y + dy; // the crop window shifted by (dy, dx) inside the zero-padded image
                    for (int x = 0; x < w; x++)
                    {
                        int sx = (flip ? w - 1 - x : x) + dx;
                        byte value = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[sy * w + sx] : (byte)0;
                        dst[y * w + x] = value * scale + offset;
                    }
                }
            }
        }
    }

    /// <summary>A batch as tensors on the CPU: images [B, C, H, W] float32 and labels [B] int64.</summary>
    public static (Tensor Images, Tensor Labels) Make(LabeledImages data, ReadOnlySpan<int> indices, PixelNormalization normalization,
                                                      AugmentationOptions augmentation, Random? rng)
    {
        var pixels = new float[indices.Length * data.PixelsPerImage];
        var labels = new long[indices.Length];
        Fill(data, indices, pixels, labels, normalization, augmentation, rng);
        return (torch.tensor(pixels, [indices.Length, data.Channels, data.Height, data.Width]), torch.tensor(labels));
    }
}
