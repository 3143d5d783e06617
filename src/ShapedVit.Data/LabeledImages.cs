using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Data;

/// <summary>
/// Images of one size as bytes (N x Channels x Height x Width, row-major) with their class labels: a whole data set
/// in memory, for data sets that fit in memory at one size (MNIST-like). Labels are class indices. Each image goes
/// through <see cref="Transform"/> (normalisation only unless set, so a test set is never augmented).
/// </summary>
public sealed class LabeledImages : IImageDataset
{
    /// <param name="pixels">N x C x H x W bytes.</param>
    /// <param name="labels">N class indices.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="classNames">Class names by index.</param>
    /// <param name="transform">What each image goes through; null: normalisation with mean 0.5 and std 0.5 per channel
    /// (timm's Inception statistics); the data set's own statistics or the model's preprocessing are better.</param>
    public LabeledImages(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames,
                         ImageTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        long perImage = (long)channels * height * width;
        if (channels <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"Image size {channels}x{height}x{width} is empty.");
        if (pixels.LongLength != perImage * labels.LongLength)
            throw new ArgumentException($"{labels.Length} labels need {perImage * labels.LongLength} pixel bytes, got {pixels.LongLength}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside the {classNames.Count} classes.");
        Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; ClassNames = classNames;
        Transform = transform ?? ImageTransform.Normalize(Enumerable.Repeat(0.5f, channels).ToArray(), Enumerable.Repeat(0.5f, channels).ToArray());
        (OutputWidth, OutputHeight) = Transform.OutputSize(width, height);
    }

    /// <inheritdoc/>
    public ImageTransform Transform { get; }

    private int OutputWidth { get; }
    private int OutputHeight { get; }

    /// <summary>The same images (shared, not copied) with another transform.</summary>
    public LabeledImages WithTransform(ImageTransform transform) => new(Pixels, Labels, Channels, Height, Width, ClassNames, transform);

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
            var batchIndices = new int[count];
            for (int b = 0; b < count; b++) batchIndices[b] = indices[start + b];
            var (images, labels) = Fill(batchIndices, seed, start);
            yield return new ImageBatch(images, labels, batchIndices);
        }
    }

    /// <summary>
    /// The images at <paramref name="indices"/> as one batch of CPU tensors: images [B, C', H', W'] float32 (the transform's
    /// output) and labels [B] int64; image p draws from <see cref="ImageSeeds.For"/>(<paramref name="seed"/>, p).
    /// </summary>
    public (Tensor Images, Tensor Labels) MakeBatch(IReadOnlyList<int> indices, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Fill([.. indices], seed, 0);
    }

    private (Tensor Images, Tensor Labels) Fill(int[] indices, int seed, int firstPosition)
    {
        int outLength = Transform.Channels * OutputHeight * OutputWidth;
        var values = new float[(long)indices.Length * outLength];
        var labels = new long[indices.Length];
        for (int b = 0; b < indices.Length; b++)
        {
            var output = Transform.Apply(ImageAt(indices[b]), new Random(ImageSeeds.For(seed, firstPosition + b)));
            if (output.Length != outLength)
                throw new InvalidOperationException($"The transform made {output.Length} values of image {indices[b]}, not {outLength}.");
            output.CopyTo(values, (long)b * outLength);
            labels[b] = Labels[indices[b]];
        }
        return (torch.tensor(values, [indices.Length, Transform.Channels, OutputHeight, OutputWidth]), torch.tensor(labels));
    }

    /// <summary>Image <paramref name="index"/> as an interleaved <see cref="PixelImage"/> (the stored form is channel-major).</summary>
    public PixelImage ImageAt(int index)
    {
        var planar = Image(index);
        int plane = Height * Width, c = Channels;
        var pixels = new byte[planar.Length];
        if (c == 1) planar.CopyTo(pixels);
        else
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < plane; i++) pixels[i * c + ch] = planar[ch * plane + i];
        return new PixelImage(Width, Height, pixels, c);
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
                                 Channels, Height, Width, ClassNames, Transform);
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
        return new LabeledImages(pixels, labels, Channels, Height, Width, ClassNames, Transform);
    }
}
