using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Vision;

/// <summary>
/// timm's evaluation transform: resize the short side to floor(size / crop_pct) with bicubic filtering, centre-crop size x size,
/// scale to 0..1, normalise per channel. Grey models (1 channel) see the image converted to luminance first.
/// </summary>
public static class Preprocessing
{
    /// <summary>The model input for one image: [Channels, Size, Size] floats, row-major.</summary>
    public static float[] Apply(RgbImage image, PreprocessConfig config)
    {
        string? problem = config.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(config));
        var cropped = ResizeAndCrop(image, config);
        int c = config.Channels, s = config.Size, plane = s * s;
        var output = new float[c * plane];
        for (int ch = 0; ch < c; ch++)
        {
            float scale = 1f / (255f * config.Std[ch]), offset = -config.Mean[ch] / config.Std[ch];
            for (int i = 0; i < plane; i++) output[ch * plane + i] = cropped[i * c + ch] * scale + offset;
        }
        return output;
    }

    /// <summary>A batch of one: [1, Channels, Size, Size] float32 on the CPU.</summary>
    public static Tensor ToTensor(RgbImage image, PreprocessConfig config) =>
        torch.tensor(Apply(image, config), [1, config.Channels, config.Size, config.Size]);

    /// <summary>The resized, centre-cropped 8-bit pixels (interleaved, Channels per pixel), before normalisation: what the model sees, for display.</summary>
    public static byte[] ResizeAndCrop(RgbImage image, PreprocessConfig config)
    {
        int channels = config.Channels;
        byte[] pixels = channels == 1 ? ToLuminance(image) : image.Pixels;
        int w = image.Width, h = image.Height;
        int scale = config.ScaleSize;
        // Short side to `scale`, long side int(scale * long / short) (torchvision's Resize with an int size).
        int newW, newH;
        if (w <= h) { newW = scale; newH = (int)((long)scale * h / w); }
        else { newH = scale; newW = (int)((long)scale * w / h); }
        var resized = Resize(pixels, w, h, channels, newW, newH);
        int size = config.Size;
        if (newW < size || newH < size)
            throw new ArgumentException($"Resized image {newW}x{newH} is smaller than the crop {size}.");
        // torchvision's CenterCrop: int(round((dim - crop) / 2.0)), with round-half-to-even.
        int top = (int)Math.Round((newH - size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((newW - size) / 2.0, MidpointRounding.ToEven);
        var output = new byte[size * size * channels];
        for (int y = 0; y < size; y++)
            Array.Copy(resized, ((top + y) * newW + left) * channels, output, y * size * channels, size * channels);
        return output;
    }

    /// <summary>PIL's "L" conversion: L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (ITU-R 601-2 luma).</summary>
    public static byte[] ToLuminance(RgbImage image)
    {
        var grey = new byte[image.Width * image.Height];
        var p = image.Pixels;
        for (int i = 0; i < grey.Length; i++)
            grey[i] = (byte)((19595 * p[3 * i] + 38470 * p[3 * i + 1] + 7471 * p[3 * i + 2] + 32768) >> 16);
        return grey;
    }

    /// <summary>
    /// Bicubic resize as PIL does it (Keys cubic, a = -0.5; the kernel widened by the scale when shrinking, so downscaling
    /// is antialiased; separable, horizontal pass first, each pass rounded and clamped to 8 bits).
    /// </summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int newWidth, int newHeight)
    {
        if (newWidth == width && newHeight == height) return (byte[])pixels.Clone();
        var horizontal = newWidth == width ? pixels : ResampleAxis(pixels, width, height, channels, newWidth, horizontalAxis: true);
        return newHeight == height ? horizontal : ResampleAxis(horizontal, newWidth, height, channels, newHeight, horizontalAxis: false);
    }

    /// <summary>The cubic convolution kernel (Keys 1981) with a = -0.5, PIL's "bicubic".</summary>
    public static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <summary>For each output index along an axis: the first input index and the normalised weights (PIL's precompute_coeffs).</summary>
    public static (int First, double[] Weights)[] Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 2.0 * filterScale;
        var result = new (int, double[])[outSize];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int first = Math.Max((int)(center - support + 0.5), 0);
            int last = Math.Min((int)(center + support + 0.5), inSize);
            var weights = new double[last - first];
            double sum = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = Cubic((first + i - center + 0.5) / filterScale);
                sum += weights[i];
            }
            if (sum != 0) for (int i = 0; i < weights.Length; i++) weights[i] /= sum;
            result[o] = (first, weights);
        }
        return result;
    }

    private static byte[] ResampleAxis(byte[] source, int width, int height, int channels, int newSize, bool horizontalAxis)
    {
        int inSize = horizontalAxis ? width : height;
        var coefficients = Coefficients(inSize, newSize);
        int outW = horizontalAxis ? newSize : width, outH = horizontalAxis ? height : newSize;
        var output = new byte[outW * outH * channels];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                var (first, weights) = coefficients[horizontalAxis ? x : y];
                for (int ch = 0; ch < channels; ch++)
                {
                    double sum = 0;
                    for (int i = 0; i < weights.Length; i++)
                    {
                        int sx = horizontalAxis ? first + i : x, sy = horizontalAxis ? y : first + i;
                        sum += weights[i] * source[(sy * width + sx) * channels + ch];
                    }
                    output[(y * outW + x) * channels + ch] = (byte)Math.Clamp(Math.Round(sum, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        return output;
    }
}
