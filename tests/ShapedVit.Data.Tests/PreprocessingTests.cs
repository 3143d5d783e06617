using ShapedVit.Checkpoints;
using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

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
        float[] input = Preprocessing.Apply(new PixelImage(4, 4, pixels), config);

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
        float[] input = Preprocessing.Apply(new PixelImage(4, 2, rgb), config);
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
        var image = new PixelImage(3, 1, [255, 0, 0, 0, 255, 0, 0, 0, 255]);
        Assert.Equal(new byte[] { 76, 150, 29 }, Preprocessing.ToLuminance(image));
    }

    [Fact]
    public void Bilinear_halving_uses_the_widened_triangle()
    {
        // 4 -> 2: scale 2, support 2; output 0 is centred at 1 and takes inputs 0..2 with triangle((i - 1 + 0.5) / 2):
        // t(-0.25) = t(0.25) = 0.75, t(0.75) = 0.25; sum 1.75. Output 1 (centre 3) takes inputs 1..3, mirrored.
        var coefficients = Preprocessing.Coefficients(4, 2, Interpolation.Bilinear);
        Assert.Equal((0, 1), (coefficients[0].First, coefficients[1].First));
        Assert.Equal([3 / 7.0, 3 / 7.0, 1 / 7.0], coefficients[0].Weights, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([1 / 7.0, 3 / 7.0, 3 / 7.0], coefficients[1].Weights, (a, b) => Math.Abs(a - b) < 1e-12);
        // Row [0, 100, 200, 255]: (100 * 3 + 200) / 7 = 71.4 -> 71; (100 + 200 * 3 + 255 * 3) / 7 = 209.3 -> 209.
        Assert.Equal(new byte[] { 71, 209 }, Preprocessing.Resize([0, 100, 200, 255], 4, 1, 1, 2, 1, Interpolation.Bilinear));
    }

    /// <summary>A 7x5 RGB image of random bytes (Python's random.seed(1), randrange(256)), the input of the PIL numbers below.</summary>
    private static readonly byte[] Random7x5 = [68,32,130,60,253,230,241,194,107,48,249,14,199,221,1,228,136,117,52,162,15,11,13,4,195,110,216,14,113,224,253,119,176,118,112,235,148,11,213,51,95,151,61,170,216,97,155,145,255,201,17,245,124,206,212,88,187,191,44,224,55,83,201,189,250,15,240,22,157,201,87,86,116,6,102,118,207,176,180,235,137,2,196,66,105,218,28,246,186,102,211,248,182,212,177,0,169,234,14,117,90,92,46,130,16];

    /// <summary>
    /// Pillow 9.4 (Debian 12's python3-pil): <c>Image.frombytes("RGB", (7, 5), data).resize((3, 4), f).tobytes()</c>,
    /// shrinking width and height, and both filters.
    /// </summary>
    [Theory]
    [InlineData(Interpolation.Bilinear, "99,140,162,144,195,91,146,138,91,102,115,142,185,118,185,124,65,201,173,139,113,181,105,135,121,153,157,194,188,93,186,174,74,103,155,66")]
    [InlineData(Interpolation.Bicubic, "94,136,166,148,207,82,145,143,79,92,113,141,194,121,195,123,49,212,178,141,109,188,99,132,117,162,160,199,189,90,190,182,73,95,156,53")]
    public void Shrinking_matches_pillow(Interpolation interpolation, string pillow) =>
        Assert.Equal(pillow, string.Join(",", Preprocessing.Resize(Random7x5, 7, 5, 3, 3, 4, interpolation)));

    /// <summary>The same image enlarged to 11x9 by Pillow 9.4: <c>resize((11, 9), Image.BILINEAR)</c>.</summary>
    [Fact]
    public void Enlarging_bilinearly_matches_pillow()
    {
        const string pillow = "68,32,130,64,132,175,76,248,219,192,210,141,171,214,73,48,249,14,144,231,6,207,198,33,225,144,106,132,150,61,52,162,15,49,26,88,74,107,150,110,202,218,149,177,168,148,181,118,116,206,68,152,192,75,180,160,98,198,103,142,120,119,100,52,140,60,17,15,18,92,65,108,168,125,217,77,123,213,109,126,192,230,133,158,164,128,191,135,97,207,154,34,203,99,67,166,51,102,136,33,83,98,87,104,137,149,132,180,129,146,146,168,141,153,249,121,189,192,109,205,162,80,215,166,32,218,105,61,193,53,90,173,61,170,216,77,163,184,111,159,133,212,188,52,251,173,86,245,124,206,224,101,194,206,76,197,193,48,221,117,65,211,55,83,201,132,214,104,152,154,126,180,86,143,212,122,81,206,109,89,173,58,148,165,119,169,167,153,179,182,150,177,98,148,148,26,146,126,180,246,16,207,152,78,237,46,146,213,87,111,175,76,95,127,25,91,125,143,133,137,213,151,168,218,135,82,203,93,7,189,60,133,229,24,183,184,68,241,137,123,218,177,142,197,167,108,180,120,34,162,187,56,148,202,78,139,146,104,80,146,67,31,152,33,105,218,28,169,203,62,243,192,109,221,231,160,211,222,116,212,177,0,185,213,9,155,195,35,122,103,85,78,112,51,46,130,16";
        Assert.Equal(pillow, string.Join(",", Preprocessing.Resize(Random7x5, 7, 5, 3, 11, 9, Interpolation.Bilinear)));
    }
}
