using TorchSharp;

namespace ShapedVit.Data;

/// <summary>
/// Images of one size as bytes (N x Channels x Height x Width, row-major) with their class labels: a whole data set
/// in memory, for data sets that fit in memory at one size (MNIST-like). Labels are class indices. Its transform is
/// <see cref="Augmentation"/> (none unless set, so a test set is never augmented) followed by <see cref="Normalization"/>.
/// </summary>
public sealed class LabeledImages : IImageDataset
{
    /// <param name="pixels">N x C x H x W bytes.</param>
    /// <param name="labels">N class indices.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="classNames">Class names by index.</param>
    /// <param name="normalization">Per-channel mean and std; null: 0.5 and 0.5 per channel (timm's Inception statistics),
    /// the data set's own statistics or the model's preprocessing are better (<see cref="PixelNormalization.From"/>).</param>
    /// <param name="augmentation">Training augmentation; null: none.</param>
    public LabeledImages(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames,
                         PixelNormalization? normalization = null, AugmentationOptions? augmentation = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        long perImage = (long)channels * height * width;
        if (perImage <= 0) throw new ArgumentException($"Image size {channels}x{height}x{width} is empty.");
        if (pixels.LongLength != perImage * labels.LongLength)
            throw new ArgumentException($"{labels.Length} labels need {perImage * labels.LongLength} pixel bytes, got {pixels.LongLength}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside the {classNames.Count} classes.");
        Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; ClassNames = classNames;
        Normalization = normalization ?? PixelNormalization.Uniform(channels, 0.5f, 0.5f);
        if (Normalization.Mean.Length != channels || Normalization.Std.Length != channels)
            throw new ArgumentException($"Normalisation has {Normalization.Mean.Length} means for {channels} channel(s).");
        Augmentation = augmentation ?? AugmentationOptions.None;
        if (Augmentation.CropPadding < 0) throw new ArgumentException($"Crop padding must not be negative (got {Augmentation.CropPadding}).");
    }

    /// <summary>(x / 255 - mean) / std per channel.</summary>
    public PixelNormalization Normalization { get; }
    /// <summary>The random transform of training batches (<see cref="AugmentationOptions.None"/> unless set).</summary>
    public AugmentationOptions Augmentation { get; }

    /// <summary>The same images (shared, not copied) with another transform.</summary>
    public LabeledImages WithTransform(PixelNormalization? normalization = null, AugmentationOptions? augmentation = null) =>
        new(Pixels, Labels, Channels, Height, Width, ClassNames, normalization ?? Normalization, augmentation ?? Augmentation);

    /// <inheritdoc/>
    public string TransformDescription =>
        (Augmentation.CropPadding > 0 ? $"RandomCrop({Height}x{Width}, padding={Augmentation.CropPadding}), " : "") +
        (Augmentation.HorizontalFlip ? "RandomHorizontalFlip(0.5), " : "") + Normalization.Describe();

    /// <inheritdoc/>
    public int LabelOf(int index) => Labels[index];

    /// <inheritdoc/>
    public IEnumerable<ImageBatch> Batches(IReadOnlyList<int> indices, int batchSize, int seed, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (int start = 0; start < indices.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, indices.Count - start);
            var pixels = new float[count * PixelsPerImage];
            var labels = new long[count];
            var batchIndices = new int[count];
            for (int b = 0; b < count; b++)
            {
                batchIndices[b] = indices[start + b];
                var rng = Augmentation.IsIdentity ? null : new Random(ImageSeeds.For(seed, start + b));
                ImageBatches.Fill(this, [batchIndices[b]], pixels.AsSpan(b * PixelsPerImage, PixelsPerImage), labels.AsSpan(b, 1),
                                  Normalization, Augmentation, rng);
            }
            yield return new ImageBatch(torch.tensor(pixels, [count, Channels, Height, Width]), torch.tensor(labels), batchIndices);
        }
    }

    /// <summary>All images' bytes, N x C x H x W, row-major.</summary>
    public byte[] Pixels { get; }
    /// <summary>The class index of each image.</summary>
    public int[] Labels { get; }
    /// <summary>Channels C per image.</summary>
    public int Channels { get; }
    /// <summary>Image height H in pixels.</summary>
    public int Height { get; }
    /// <summary>Image width W in pixels.</summary>
    public int Width { get; }
    /// <summary>Number of images N.</summary>
    public int Count => Labels.Length;
    /// <summary>Bytes per image: C x H x W.</summary>
    public int PixelsPerImage => Channels * Height * Width;
    /// <summary>Class names by label index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The C x H x W bytes of image <paramref name="index"/> (a view, not a copy).</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);

    /// <summary>The first <paramref name="count"/> images (or all, if fewer).</summary>
    public LabeledImages Take(int count)
    {
        count = Math.Min(count, Count);
        return new LabeledImages(Pixels.AsSpan(0, count * PixelsPerImage).ToArray(), Labels.AsSpan(0, count).ToArray(),
                                 Channels, Height, Width, ClassNames, Normalization, Augmentation);
    }

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public LabeledImages Select(IReadOnlyList<int> indices)
    {
        var pixels = new byte[indices.Count * PixelsPerImage];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * PixelsPerImage));
            labels[i] = Labels[indices[i]];
        }
        return new LabeledImages(pixels, labels, Channels, Height, Width, ClassNames, Normalization, Augmentation);
    }
}
