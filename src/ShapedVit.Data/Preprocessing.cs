using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Data;

/// <summary>
/// PIL's 8-bit resampling (bicubic and bilinear, antialiased when shrinking, Pillow's fixed point), the resize-then-crop
/// of timm's evaluation transform computed for the crop only, and PIL's luminance. <see cref="Apply"/> and
/// <see cref="ToTensor"/> run a model's evaluation transform (<see cref="ImageTransform.Eval"/>) on one image.
/// </summary>
public static class Preprocessing
{
    /// <summary>The model input for one image: <see cref="ImageTransform.Eval"/> of <paramref name="config"/>, [Channels, Size, Size] floats, row-major.</summary>
    public static float[] Apply(PixelImage image, PreprocessConfig config) => ImageTransform.Eval(config).Apply(image, Random.Shared);

    /// <summary>A batch of one: [1, Channels, Size, Size] float32 on the CPU.</summary>
    public static Tensor ToTensor(PixelImage image, PreprocessConfig config) =>
        torch.tensor(Apply(image, config), [1, config.Channels, config.Size, config.Size]);

    /// <summary>The 8-bit pixels a model with <paramref name="config"/> sees (its evaluation steps, before normalisation), interleaved, for display.</summary>
    public static byte[] ResizeAndCrop(PixelImage image, PreprocessConfig config) => ImageTransform.Eval(config).ApplySteps(image, Random.Shared).Pixels;

    /// <summary>torchvision's <c>Resize</c> with an int size: the short side to <paramref name="size"/>, the long side int(size x long / short) (in long: a thin strip's long side can exceed int.MaxValue).</summary>
    internal static (long Width, long Height) ShortSideTo(int width, int height, long size) =>
        width <= height ? (size, size * height / width) : (size * width / height, size);

    /// <summary>torchvision's <c>CenterCrop</c> offsets: int(round((dim - crop) / 2.0)), rounded half to even.</summary>
    internal static (long Top, long Left) CenterOffsets(long width, long height, int size)
    {
        if (width < size || height < size)
            throw new ArgumentException($"The {width}x{height} image is smaller than the crop {size}.");
        return ((long)Math.Round((height - size) / 2.0, MidpointRounding.ToEven), (long)Math.Round((width - size) / 2.0, MidpointRounding.ToEven));
    }

    /// <summary>
    /// <see cref="Resize"/> (short side to <paramref name="scaleSize"/>) then <see cref="CenterCrop"/> (<paramref name="size"/>), computed for the
    /// crop only: the crop is located in the resized image's coordinates first and only its pixels are resampled (PIL's
    /// <c>resize</c> with a reducing box does the same), so the cost is bounded by the output and the filter's reach into
    /// the source, not by the input's aspect ratio: a 1x1,000,000 strip costs what a square does. The numbers are those of
    /// resizing the whole image and cropping afterwards, pixel for pixel.
    /// </summary>
    internal static PixelImage ResizeAndCrop(PixelImage image, int scaleSize, int size, Interpolation interpolation)
    {
        var (newW, newH) = ShortSideTo(image.Width, image.Height, scaleSize);
        if (newW < size || newH < size)
            throw new ArgumentException($"Resized image {newW}x{newH} is smaller than the crop {size}.");
        var (top, left) = CenterOffsets(newW, newH, size);
        return new PixelImage(size, size, ResizeRegion(image.Pixels, image.Width, image.Height, image.Channels, newW, newH, left, top, size, size, interpolation), image.Channels);
    }

    /// <summary>
    /// PIL's resize as <see cref="Resize"/> does it, but computing only the output window [<paramref name="left"/>,
    /// left + <paramref name="regionWidth"/>) x [<paramref name="top"/>, top + <paramref name="regionHeight"/>) of the
    /// <paramref name="newWidth"/> x <paramref name="newHeight"/> result: the horizontal pass runs only on the source rows
    /// the window's vertical filter taps reach, and only for the window's columns.
    /// </summary>
    public static byte[] ResizeRegion(byte[] pixels, int width, int height, int channels, long newWidth, long newHeight,
                                      long left, long top, int regionWidth, int regionHeight, Interpolation interpolation = Interpolation.Bicubic)
    {
        if (left < 0 || top < 0 || regionWidth < 1 || regionHeight < 1 || left + regionWidth > newWidth || top + regionHeight > newHeight)
            throw new ArgumentException($"Region {regionWidth}x{regionHeight} at ({left}, {top}) is outside the {newWidth}x{newHeight} image.");
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"A {width}x{height} image of {channels} channels needs {(long)width * height * channels} bytes, got {pixels.LongLength}.");
        bool resizeX = newWidth != width, resizeY = newHeight != height;
        var columns = FixedPoint(resizeX ? Coefficients(width, newWidth, left, regionWidth, interpolation) : Identity(left, regionWidth));
        var rows = FixedPoint(resizeY ? Coefficients(height, newHeight, top, regionHeight, interpolation) : Identity(top, regionHeight));
        // Source rows the vertical taps reach: the horizontal pass is needed for those only.
        int firstRow = rows[0].First, endRow = rows.Max(r => r.First + r.Weights.Length);
        int bandHeight = endRow - firstRow;
        byte[] band = new byte[(long)bandHeight * regionWidth * channels];
        for (int y = 0; y < bandHeight; y++)
            for (int x = 0; x < regionWidth; x++)
            {
                var (first, weights) = columns[x];
                long rowStart = (long)(firstRow + y) * width;
                for (int ch = 0; ch < channels; ch++)
                {
                    if (!resizeX) { band[((long)y * regionWidth + x) * channels + ch] = pixels[(rowStart + first) * channels + ch]; continue; }
                    long sum = Half;
                    for (int i = 0; i < weights.Length; i++) sum += weights[i] * pixels[(rowStart + first + i) * channels + ch];
                    band[((long)y * regionWidth + x) * channels + ch] = ToByte(sum);
                }
            }
        var output = new byte[regionWidth * regionHeight * channels];
        for (int y = 0; y < regionHeight; y++)
        {
            var (first, weights) = rows[y];
            for (int x = 0; x < regionWidth; x++)
                for (int ch = 0; ch < channels; ch++)
                {
                    int o = (y * regionWidth + x) * channels + ch;
                    if (!resizeY) { output[o] = band[((long)(first - firstRow) * regionWidth + x) * channels + ch]; continue; }
                    long sum = Half;
                    for (int i = 0; i < weights.Length; i++) sum += weights[i] * band[((long)(first - firstRow + i) * regionWidth + x) * channels + ch];
                    output[o] = ToByte(sum);
                }
        }
        return output;
    }

    private static (int First, double[] Weights)[] Identity(long start, int count) =>
        Enumerable.Range(0, count).Select(i => ((int)(start + i), new[] { 1.0 })).ToArray();

    /// <summary>PIL's 8-bit resampling works in fixed point: weights scaled by 2^22 and rounded, sums started at one half.</summary>
    private const int PrecisionBits = 32 - 8 - 2;
    private const long Half = 1L << (PrecisionBits - 1);

    /// <summary>PIL's normalize_coeffs_8bpc: each weight times 2^22, rounded half away from zero.</summary>
    private static (int First, long[] Weights)[] FixedPoint((int First, double[] Weights)[] coefficients) =>
        coefficients.Select(c => (c.First, c.Weights.Select(w => (long)(w < 0 ? w * (1 << PrecisionBits) - 0.5 : w * (1 << PrecisionBits) + 0.5)).ToArray())).ToArray();

    /// <summary>PIL's clip8: the fixed-point sum shifted back to 8 bits and clamped.</summary>
    private static byte ToByte(long sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    /// <summary>PIL's "L" conversion: L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (ITU-R 601-2 luma); a grey image's bytes are its luminance.</summary>
    public static byte[] ToLuminance(PixelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels == 1) return (byte[])image.Pixels.Clone();
        if (image.Channels != 3) throw new ArgumentException($"Luminance needs an RGB or grey image, not {image.Channels} channels.");
        var grey = new byte[image.Width * image.Height];
        var p = image.Pixels;
        for (int i = 0; i < grey.Length; i++)
            grey[i] = (byte)((19595 * p[3 * i] + 38470 * p[3 * i + 1] + 7471 * p[3 * i + 2] + 32768) >> 16);
        return grey;
    }

    /// <summary>
    /// Resize as PIL does it: bicubic (Keys cubic, a = -0.5) or bilinear (triangle), the kernel widened by the scale when
    /// shrinking, so downscaling is antialiased; separable, horizontal pass first, each pass in PIL's fixed point (weights
    /// times 2^22) rounded and clamped to 8 bits, so the bytes are Pillow's.
    /// </summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int newWidth, int newHeight, Interpolation interpolation = Interpolation.Bicubic)
    {
        if (newWidth == width && newHeight == height) return (byte[])pixels.Clone();
        return ResizeRegion(pixels, width, height, channels, newWidth, newHeight, 0, 0, newWidth, newHeight, interpolation);
    }

    /// <summary>The cubic convolution kernel (Keys 1981) with a = -0.5, PIL's "bicubic".</summary>
    internal static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <summary>The triangle kernel, PIL's "bilinear" (support 1).</summary>
    internal static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1 ? 1 - x : 0;
    }

    /// <summary>For each output index along an axis: the first input index and the normalised weights (PIL's precompute_coeffs).</summary>
    internal static (int First, double[] Weights)[] Coefficients(int inSize, int outSize, Interpolation interpolation = Interpolation.Bicubic) =>
        Coefficients(inSize, outSize, 0, outSize, interpolation);

    /// <summary>
    /// PIL's precompute_coeffs for the <paramref name="count"/> output indices from <paramref name="firstOutput"/> of an
    /// axis resized from <paramref name="inSize"/> to <paramref name="outSize"/>: the first input index of each and its
    /// normalised weights (support 2 for bicubic, 1 for bilinear, times the scale when shrinking).
    /// </summary>
    internal static (int First, double[] Weights)[] Coefficients(int inSize, long outSize, long firstOutput, int count, Interpolation interpolation = Interpolation.Bicubic)
    {
        Func<double, double> kernel = interpolation switch
        {
            Interpolation.Bicubic => Cubic,
            Interpolation.Bilinear => Triangle,
            _ => throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Use bicubic or bilinear."),
        };
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = (interpolation == Interpolation.Bicubic ? 2.0 : 1.0) * filterScale;
        var result = new (int, double[])[count];
        for (int j = 0; j < count; j++)
        {
            long o = firstOutput + j;
            double center = (o + 0.5) * scale;
            int first = Math.Max((int)(center - support + 0.5), 0);
            int last = Math.Min((int)(center + support + 0.5), inSize);
            var weights = new double[last - first];
            double sum = 0, reciprocal = 1.0 / filterScale;
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = kernel((first + i - center + 0.5) * reciprocal);
                sum += weights[i];
            }
            if (sum != 0) for (int i = 0; i < weights.Length; i++) weights[i] /= sum;
            result[j] = (first, weights);
        }
        return result;
    }
}
