using ShapedVit.Checkpoints;
using ShapedVit.Vision;

namespace ShapedVit.Vision.Tests;

public class PreprocessingTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.5625)]    // ((a+2)x - (a+3))x^2 + 1 with a = -0.5
    [InlineData(1.0, 0.0)]
    [InlineData(1.5, -0.0625)]   // (((x-5)x + 8)x - 4)a
    [InlineData(2.0, 0.0)]
    [InlineData(-0.5, 0.5625)]
    public void The_bicubic_kernel_is_keys_with_a_minus_half(double x, double expected) =>
        Assert.Equal(expected, Preprocessing.Cubic(x), 12);

    [Fact]
    public void Halving_uses_the_widened_antialiasing_kernel()
    {
        // 4 -> 2: scale 2, support 4; output 0 is centred at 1 and takes inputs 0..3 with kernel((i - 1 + 0.5) / 2):
        // k(-0.25) = k(0.25) = 0.8671875, k(0.75) = 0.2265625, k(1.25) = -0.0703125; sum 1.890625.
        var coefficients = Preprocessing.Coefficients(4, 2);
        Assert.Equal(0, coefficients[0].First);
        double[] expected = [0.8671875 / 1.890625, 0.8671875 / 1.890625, 0.2265625 / 1.890625, -0.0703125 / 1.890625];
        Assert.Equal(expected, coefficients[0].Weights, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(expected.Reverse(), coefficients[1].Weights, (a, b) => Math.Abs(a - b) < 1e-12);

        // Row [0, 100, 200, 255]: 100*0.45868 + 200*0.11983 - 255*0.03719 = 60.35 -> 60; mirrored: 220.68 -> 221.
        byte[] resized = Preprocessing.Resize([0, 100, 200, 255], 4, 1, 1, 2, 1);
        Assert.Equal(new byte[] { 60, 221 }, resized);
    }

    [Fact]
    public void A_tiny_colour_image_gives_hand_computed_inputs()
    {
        // 4x4 RGB: every row R = [0, 100, 200, 255], G = 255 - R, B = 0. Size 2, crop 1.0: resize to 2x2, crop all.
        byte[] r = [0, 100, 200, 255];
        var pixels = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                pixels[(y * 4 + x) * 3] = r[x];
                pixels[(y * 4 + x) * 3 + 1] = (byte)(255 - r[x]);
            }
        var config = new PreprocessConfig(2, 1.0, [.. PreprocessConfig.ImageNetMean], [.. PreprocessConfig.ImageNetStd]);
        float[] input = Preprocessing.Apply(new RgbImage(4, 4, pixels), config);

        // R resizes to [60, 221] (see above); G = [255, 155, 55, 0] to 255*.45868 + 155*.45868 + 55*.11983 = 194.65 -> 195
        // and -255*.03719 + 155*.11983 + 55*.45868 = 34.32 -> 34; rows are equal, so the vertical pass keeps them.
        float R(int v) => (v / 255f - 0.485f) / 0.229f;
        float G(int v) => (v / 255f - 0.456f) / 0.224f;
        float B(int v) => (v / 255f - 0.406f) / 0.225f;
        float[] expected = [R(60), R(221), R(60), R(221), G(195), G(34), G(195), G(34), B(0), B(0), B(0), B(0)];
        Assert.Equal(expected, input, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void The_short_side_is_resized_to_size_over_crop_and_the_centre_is_cropped()
    {
        // 4 wide, 2 high, grey (R = G = B, so luminance is exact). Size 1, crop 0.5: short side to floor(1 / 0.5) = 2
        // (already), crop 1x1 at top round(0.5) = 0, left round(1.5) = 2 (half to even): the pixel 200.
        byte[] grey = [0, 100, 200, 255, 10, 110, 210, 250];
        var rgb = grey.SelectMany(v => new[] { v, v, v }).ToArray();
        var config = new PreprocessConfig(1, 0.5, [0.5f], [0.25f], Channels: 1);
        Assert.Equal(2, config.ScaleSize);
        float[] input = Preprocessing.Apply(new RgbImage(4, 2, rgb), config);
        Assert.Equal((200 / 255f - 0.5f) / 0.25f, Assert.Single(input), 1e-5f);
    }

    [Fact]
    public void Timm_presets_have_their_crop_ratios_and_statistics()
    {
        var imagenet = PreprocessConfig.ImageNet();
        Assert.Equal((224, 0.875, 256), (imagenet.Size, imagenet.CropPct, imagenet.ScaleSize));
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, imagenet.Mean);
        var inception = PreprocessConfig.Inception();
        Assert.Equal((0.9, 248), (inception.CropPct, inception.ScaleSize)); // floor(224 / 0.9) = 248
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f }, inception.Std);
    }

    [Fact]
    public void Luminance_is_pil_L_conversion()
    {
        // (19595*255 + 32768) >> 16 = 76; (38470*255 + 32768) >> 16 = 150; (7471*255 + 32768) >> 16 = 29.
        var image = new RgbImage(3, 1, [255, 0, 0, 0, 255, 0, 0, 0, 255]);
        Assert.Equal(new byte[] { 76, 150, 29 }, Preprocessing.ToLuminance(image));
    }
}
