using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Vision;
using SkiaSharp;
using static ShapedVit.Testing.TestImages;

namespace ShapedVit.Vision.Tests;

/// <summary>Thin-strip PNGs of a few kilobytes decode within raised limits and go through the (bounded) preprocessing.</summary>
public class HostilePngTests
{
    [Theory]
    [InlineData(1, 20_000)]
    [InlineData(1, 200_000)]
    [InlineData(1, 1_000_000)]
    public void Tiny_hostile_pngs_decode_within_raised_limits_and_preprocess(int width, int height)
    {
        byte[] png = Png(width, height, (x, y) => new SKColor((byte)(y % 251), (byte)(y % 7 * 30), 9));
        Assert.True(png.Length < 64 * 1024, $"{png.Length} bytes");
        if (height > ImageDecoder.DefaultMaxDimension)
            Assert.Equal($"strip.png: {width}x{height} has a side over the limit of 65535 pixels (raise --max-dimension to allow it).",
                         Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "strip.png")).Message);
        var image = ImageDecoder.Decode(png, "strip.png", maxDimension: height);
        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(3 * 224 * 224, Preprocessing.Apply(image, PreprocessConfig.ImageNet()).Length);
    }
}
