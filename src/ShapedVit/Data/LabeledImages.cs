namespace ShapedVit.Data;

/// <summary>
/// Images of one size as bytes (N x Channels x Height x Width, row-major) with their class labels: a whole data set
/// in memory, small enough for MNIST-sized sets.
/// </summary>
public sealed class LabeledImages
{
    public LabeledImages(byte[] pixels, byte[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        long perImage = (long)channels * height * width;
        if (perImage <= 0) throw new ArgumentException($"Image size {channels}x{height}x{width} is empty.");
        if (pixels.LongLength != perImage * labels.LongLength)
            throw new ArgumentException($"{labels.Length} labels need {perImage * labels.LongLength} pixel bytes, got {pixels.LongLength}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside the {classNames.Count} classes.");
        Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; ClassNames = classNames;
    }

    public byte[] Pixels { get; }
    public byte[] Labels { get; }
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
        var labels = new byte[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * PixelsPerImage));
            labels[i] = Labels[indices[i]];
        }
        return new LabeledImages(pixels, labels, Channels, Height, Width, ClassNames);
    }

    /// <summary>Reads an IDX image file ([N,H,W] or [N,C,H,W]) and its IDX label file ([N]) and checks they agree.</summary>
    public static LabeledImages FromIdx(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Length is not (3 or 4))
            throw new IdxFormatException($"{imagesPath}: images must have rank 3 [N,H,W] or 4 [N,C,H,W], got [{string.Join(",", images.Dimensions)}].");
        if (labels.Dimensions.Length != 1)
            throw new IdxFormatException($"{labelsPath}: labels must have rank 1 [N], got [{string.Join(",", labels.Dimensions)}].");
        if (images.Count != labels.Count)
            throw new IdxFormatException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels.");
        int channels = images.Dimensions.Length == 4 ? images.Dimensions[1] : 1;
        int height = images.Dimensions[^2], width = images.Dimensions[^1];
        for (int i = 0; i < labels.Data.Length; i++)
            if (labels.Data[i] >= classNames.Count)
                throw new IdxFormatException($"{labelsPath}: label {labels.Data[i]} at index {i} is outside the {classNames.Count} classes.");
        return new LabeledImages(images.Data, labels.Data, channels, height, width, classNames);
    }
}
