using ShapedVit.Checkpoints;
using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

/// <summary>
/// Preprocessing costs what its output costs: the crop is found first and only its pixels are resampled. The numbers are
/// those of resizing the whole image and cropping afterwards (checked against that, written out plainly, below), and the
/// work on a thin strip is bounded (checked through the bytes allocated, not the time taken).
/// </summary>
public class BoundedPreprocessingTests
{
    [Theory]
    [InlineData(37, 23, 3, 16, 0.875, Interpolation.Bicubic)]
    [InlineData(23, 37, 3, 16, 0.875, Interpolation.Bilinear)]
    [InlineData(64, 64, 3, 24, 0.9, Interpolation.Bicubic)]   // shrinking: the widened, antialiasing kernel
    [InlineData(9, 50, 1, 8, 1.0, Interpolation.Bicubic)]     // grey, enlarging one side
    [InlineData(50, 9, 3, 8, 0.5, Interpolation.Bilinear)]
    [InlineData(30, 20, 3, 20, 1.0, Interpolation.Bicubic)]   // the short side already at scale: one axis not resampled
    public void Cropping_first_gives_the_pixels_of_resizing_everything_then_cropping(int width, int height, int channels, int size, double cropPct, Interpolation interpolation)
    {
        var random = new Random(width * 1000 + height);
        var rgb = new byte[width * height * 3];
        random.NextBytes(rgb);
        var image = new PixelImage(width, height, rgb);
        var mean = Enumerable.Repeat(0.5f, channels).ToArray();
        var config = new PreprocessConfig(size, cropPct, mean, mean, channels) { Interpolation = interpolation };

        byte[] source = channels == 1 ? Preprocessing.ToLuminance(image) : rgb;
        int scale = config.ScaleSize;
        int newW = width <= height ? scale : scale * width / height, newH = width <= height ? scale * height / width : scale;
        byte[] whole = ReferenceResize(source, width, height, channels, newW, newH, interpolation);
        int top = (int)Math.Round((newH - size) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((newW - size) / 2.0, MidpointRounding.ToEven);
        var expected = new byte[size * size * channels];
        for (int y = 0; y < size; y++)
            Array.Copy(whole, ((top + y) * newW + left) * channels, expected, y * size * channels, size * channels);

        Assert.Equal(expected, Preprocessing.ResizeAndCrop(image, config));
        Assert.Equal(whole, Preprocessing.Resize(source, width, height, channels, newW, newH, interpolation));
    }

    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(1, 200_000)]
    [InlineData(1, 1_000_000)]
    [InlineData(1_000_000, 1)]
    [InlineData(3, 65_535)]
    public void A_thin_strip_costs_what_a_square_does(int width, int height)
    {
        var image = new PixelImage(width, height, Stripes(width, height));
        var config = PreprocessConfig.ImageNet();
        // A 224x224 crop out of a 256x256 image allocates about what its output needs; the strip may not allocate more than
        // a few times that, whatever its length (before: 4.4 GB for 1x200,000, an OverflowException for 1x20,000).
        long square = AllocatedBy(() => Preprocessing.Apply(new PixelImage(256, 256, new byte[256 * 256 * 3]), config));
        float[] input = [];
        long strip = AllocatedBy(() => input = Preprocessing.Apply(image, config));
        Assert.Equal(3 * 224 * 224, input.Length);
        Assert.True(strip < 4 * square + (1 << 20), $"{width}x{height}: {strip} bytes allocated, a 256x256 image {square}");
        Assert.All(input, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_crop_ratio_of_one_percent_on_a_thin_strip_is_bounded_too()
    {
        // The short side goes to floor(224 / 0.01) = 22,400: the whole resized image would be 22,400 x 22,400,000.
        var image = new PixelImage(1, 1000, Stripes(1, 1000));
        var config = PreprocessConfig.ImageNet() with { CropPct = 0.01 };
        long allocated = AllocatedBy(() => Assert.Equal(3 * 224 * 224, Preprocessing.Apply(image, config).Length));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
    }

    private static byte[] Stripes(int width, int height)
    {
        var pixels = new byte[3L * width * height];
        for (long i = 0; i < pixels.LongLength; i++) pixels[i] = (byte)(i * 7 % 256);
        return pixels;
    }

    private static long AllocatedBy(Action action)
    {
        action(); // once to warm up (JIT, static tables)
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>The whole-image resize the crop-first code replaced, kept here as the reference: PIL's two passes, each over everything.</summary>
    private static byte[] ReferenceResize(byte[] pixels, int width, int height, int channels, int newWidth, int newHeight, Interpolation interpolation)
    {
        var horizontal = newWidth == width ? pixels : Pass(pixels, width, height, channels, newWidth, horizontalAxis: true, interpolation);
        return newHeight == height ? horizontal : Pass(horizontal, newWidth, height, channels, newHeight, horizontalAxis: false, interpolation);
    }

    private static byte[] Pass(byte[] source, int width, int height, int channels, int newSize, bool horizontalAxis, Interpolation interpolation)
    {
        int inSize = horizontalAxis ? width : height;
        double scale = (double)inSize / newSize, filterScale = Math.Max(scale, 1.0);
        double support = (interpolation == Interpolation.Bicubic ? 2.0 : 1.0) * filterScale;
        Func<double, double> kernel = interpolation == Interpolation.Bicubic ? Preprocessing.Cubic : Preprocessing.Triangle;
        int outW = horizontalAxis ? newSize : width, outH = horizontalAxis ? height : newSize;
        var output = new byte[outW * outH * channels];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                int o = horizontalAxis ? x : y;
                double center = (o + 0.5) * scale;
                int first = Math.Max((int)(center - support + 0.5), 0), last = Math.Min((int)(center + support + 0.5), inSize);
                var weights = Enumerable.Range(first, last - first).Select(i => kernel((i - center + 0.5) * (1.0 / filterScale))).ToArray();
                double total = weights.Sum();
                // PIL's fixed point: normalised weights times 2^22, rounded half away from zero; sums start at 2^21.
                long[] fixedWeights = weights.Select(w => w / total).Select(w => (long)(w < 0 ? w * (1 << 22) - 0.5 : w * (1 << 22) + 0.5)).ToArray();
                for (int ch = 0; ch < channels; ch++)
                {
                    long sum = 1 << 21;
                    for (int i = 0; i < weights.Length; i++)
                    {
                        int sx = horizontalAxis ? first + i : x, sy = horizontalAxis ? y : first + i;
                        sum += fixedWeights[i] * source[(sy * width + sx) * channels + ch];
                    }
                    output[(y * outW + x) * channels + ch] = (byte)Math.Clamp(sum >> 22, 0, 255);
                }
            }
        return output;
    }
}
