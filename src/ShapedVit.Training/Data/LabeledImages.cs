namespace ShapedVit.Training.Data;

/// <summary>
/// Images of one size as bytes (N x Channels x Height x Width, row-major) with their class labels: a whole data set
/// in memory, for data sets that fit in memory at one size (MNIST-like). Labels are class indices.
/// </summary>
public sealed class LabeledImages
{
    public LabeledImages(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
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
    }

    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => Labels.Length;
    public int PixelsPerImage => Channels * Height * Width;
    public IReadOnlyList<string> ClassNames { get; }

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);

    /// <summary>The first <paramref name="count"/> images (or all, if fewer).</summary>
    public LabeledImages Take(int count)
    {
        count = Math.Min(count, Count);
        return new LabeledImages(Pixels.AsSpan(0, count * PixelsPerImage).ToArray(), Labels.AsSpan(0, count).ToArray(),
                                 Channels, Height, Width, ClassNames);
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
        return new LabeledImages(pixels, labels, Channels, Height, Width, ClassNames);
    }
}
