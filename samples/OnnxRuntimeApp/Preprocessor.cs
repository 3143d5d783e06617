namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>
/// timm's evaluation transform, as an export's <c>shapedvit.preprocessing</c> states it: resize the short side to
/// floor(size / crop_pct) (bicubic or bilinear, antialiased as Pillow resizes), centre-crop size x size, scale to 0..1,
/// normalise per channel. Grey models see the image's luminance, RGB models a grey image's value in all three channels.
/// The same numbers as ShapedVit.Vision's Preprocessing (which needs TorchSharp; the tests compare the two).
/// </summary>
/// <param name="Size">Side of the square crop.</param>
/// <param name="CropPct">The crop's share of the resized short side, in (0, 1].</param>
/// <param name="Bicubic">Bicubic (else bilinear) resampling.</param>
/// <param name="Mean">Per-channel mean of pixels scaled to 0..1.</param>
/// <param name="Std">Per-channel standard deviation, positive.</param>
public sealed record Preprocessor(int Size, double CropPct, bool Bicubic, float[] Mean, float[] Std)
{
    /// <summary>Channels the model reads (1 or 3).</summary>
    public int Channels => Mean.Length;

    /// <summary>The resized short side, as timm computes it.</summary>
    public long ScaleSize => (long)Math.Floor(Size / CropPct);

    /// <summary>The model input for one image: [Channels, Size, Size] floats.</summary>
    public float[] Apply(PixelImage image)
    {
        byte[] pixels = Convert(image, Channels);
        int w = image.Width, h = image.Height, c = Channels;
        long scale = ScaleSize, newW, newH;
        // torchvision's Resize with an int: the short side to `scale`, the long side int(scale * long / short).
        if (w <= h) { newW = scale; newH = scale * h / w; }
        else { newH = scale; newW = scale * w / h; }
        if (newW < Size || newH < Size)
            throw new InvalidDataException($"the resized image {newW}x{newH} is smaller than the crop {Size}");
        long top = (long)Math.Round((newH - Size) / 2.0, MidpointRounding.ToEven);
        long left = (long)Math.Round((newW - Size) / 2.0, MidpointRounding.ToEven);
        byte[] cropped = ResizeRegion(pixels, w, h, c, newW, newH, left, top, Size);
        int plane = Size * Size;
        var output = new float[c * plane];
        for (int ch = 0; ch < c; ch++)
        {
            float factor = 1f / (255f * Std[ch]), offset = -Mean[ch] / Std[ch];
            for (int i = 0; i < plane; i++) output[ch * plane + i] = cropped[i * c + ch] * factor + offset;
        }
        return output;
    }

    /// <summary>The image with <paramref name="channels"/> channels: PIL's "L" luminance for grey, the grey value thrice for RGB.</summary>
    private static byte[] Convert(PixelImage image, int channels)
    {
        if (image.Channels == channels) return image.Pixels;
        int count = image.Width * image.Height;
        var p = image.Pixels;
        var result = new byte[(long)count * channels];
        for (int i = 0; i < count; i++)
            if (channels == 1) result[i] = (byte)((19595 * p[3 * i] + 38470 * p[3 * i + 1] + 7471 * p[3 * i + 2] + 32768) >> 16);
            else result[3 * i] = result[3 * i + 1] = result[3 * i + 2] = p[i];
        return result;
    }

    /// <summary>
    /// Pillow's resize to <paramref name="newWidth"/> x <paramref name="newHeight"/>, computing only the
    /// <paramref name="size"/> x size window at (<paramref name="left"/>, <paramref name="top"/>): the work is bounded by the
    /// window and the filter's reach, whatever the image's aspect ratio. Pillow's fixed point (weights times 2^22).
    /// </summary>
    private byte[] ResizeRegion(byte[] pixels, int width, int height, int channels, long newWidth, long newHeight, long left, long top, int size)
    {
        var columns = newWidth == width ? Identity(left, size) : Coefficients(width, newWidth, left, size);
        var rows = newHeight == height ? Identity(top, size) : Coefficients(height, newHeight, top, size);
        int firstRow = rows[0].First, endRow = rows.Max(r => r.First + r.Weights.Length), bandHeight = endRow - firstRow;
        var band = new byte[(long)bandHeight * size * channels];
        for (int y = 0; y < bandHeight; y++)
            for (int x = 0; x < size; x++)
            {
                var (first, weights) = columns[x];
                long rowStart = (long)(firstRow + y) * width;
                for (int ch = 0; ch < channels; ch++)
                {
                    long sum = Half;
                    for (int i = 0; i < weights.Length; i++) sum += weights[i] * pixels[(rowStart + first + i) * channels + ch];
                    band[((long)y * size + x) * channels + ch] = ToByte(sum);
                }
            }
        var output = new byte[size * size * channels];
        for (int y = 0; y < size; y++)
        {
            var (first, weights) = rows[y];
            for (int x = 0; x < size; x++)
                for (int ch = 0; ch < channels; ch++)
                {
                    long sum = Half;
                    for (int i = 0; i < weights.Length; i++) sum += weights[i] * band[((long)(first - firstRow + i) * size + x) * channels + ch];
                    output[(y * size + x) * channels + ch] = ToByte(sum);
                }
        }
        return output;
    }

    private const int PrecisionBits = 22;
    private const long One = 1L << PrecisionBits;
    private const long Half = 1L << (PrecisionBits - 1);

    /// <summary>Pillow's clip8 (an unresized axis has the one weight 2^22, which gives the byte back).</summary>
    private static byte ToByte(long sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static (int First, long[] Weights)[] Identity(long start, int count) =>
        Enumerable.Range(0, count).Select(i => ((int)(start + i), new[] { One })).ToArray();

    /// <summary>Pillow's precompute_coeffs for <paramref name="count"/> outputs from <paramref name="firstOutput"/>, then normalize_coeffs_8bpc.</summary>
    private (int First, long[] Weights)[] Coefficients(int inSize, long outSize, long firstOutput, int count)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0);
        double support = (Bicubic ? 2.0 : 1.0) * filterScale;
        var result = new (int, long[])[count];
        for (int j = 0; j < count; j++)
        {
            double center = (firstOutput + j + 0.5) * scale;
            int first = Math.Max((int)(center - support + 0.5), 0), last = Math.Min((int)(center + support + 0.5), inSize);
            var weights = new double[last - first];
            double sum = 0;
            for (int i = 0; i < weights.Length; i++) sum += weights[i] = Kernel((first + i - center + 0.5) / filterScale);
            result[j] = (first, weights.Select(w => sum == 0 ? 0L : Fixed(w / sum)).ToArray());
        }
        return result;
    }

    private static long Fixed(double w) => (long)(w < 0 ? w * One - 0.5 : w * One + 0.5);

    private double Kernel(double x)
    {
        x = Math.Abs(x);
        if (!Bicubic) return x < 1 ? 1 - x : 0;
        const double a = -0.5;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
