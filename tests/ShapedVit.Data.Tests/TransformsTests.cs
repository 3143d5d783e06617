using ShapedVit.Checkpoints;
using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

public class TransformsTests
{
    /// <summary>A w x h image whose pixel (x, y) is (10 y + x, 100 + 10 y + x, 200 - x).</summary>
    private static PixelImage Positions(int w, int h)
    {
        var pixels = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                pixels[3 * (y * w + x)] = (byte)(10 * y + x);
                pixels[3 * (y * w + x) + 1] = (byte)(100 + 10 * y + x);
                pixels[3 * (y * w + x) + 2] = (byte)(200 - x);
            }
        return new PixelImage(w, h, pixels);
    }

    private static PixelImage Grey(int w, int h, params byte[] values) =>
        new(w, h, values.SelectMany(v => new[] { v, v, v }).ToArray());

    private static byte[] Red(PixelImage image) => Enumerable.Range(0, image.Width * image.Height).Select(i => image.Pixels[3 * i]).ToArray();

    [Theory]
    [InlineData(10, 2, 0, 3, 2, 3)]  // wider than 4/3: full height, width round(2 x 4/3) = 3, centred
    [InlineData(2, 10, 3, 0, 3, 2)]  // taller than 3/4: full width, height round(2 / (3/4)) = 3, centred
    [InlineData(4, 5, 0, 0, 5, 4)]   // ratio 0.8 within range: the whole image
    public void RandomResizedCrop_falls_back_to_torchvisions_centre_crop_after_ten_failed_tries(int width, int height, int top, int left, int h, int w)
    {
        var crop = new RandomResizedCrop(4, MinScale: 2, MaxScale: 3); // an area larger than the image never fits
        Assert.Equal((top, left, h, w), crop.GetParams(width, height, new Random(1)));
    }

    [Fact]
    public void RandomResizedCrop_draws_scale_ratio_then_position()
    {
        // Scale 1/4 and ratio 1 of an 8x8 image: w = h = round(sqrt(16)) = 4; then top and left uniform in [0, 4].
        var crop = new RandomResizedCrop(4, MinScale: 0.25, MaxScale: 0.25, MinRatio: 1, MaxRatio: 1);
        for (int seed = 0; seed < 10; seed++)
        {
            var replay = new Random(seed);
            replay.NextDouble(); replay.NextDouble();
            int top = replay.Next(5), left = replay.Next(5);
            Assert.Equal((top, left, 4, 4), crop.GetParams(8, 8, new Random(seed)));
            // The crop is already 4x4, so the resize keeps it: the output is exactly the pixels at (top, left).
            var output = crop.Apply(Positions(8, 8), new Random(seed));
            Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)(10 * (top + i / 4) + left + i % 4)), Red(output));
        }
    }

    [Fact]
    public void RandomResizedCrop_resizes_to_its_size_and_respects_its_ranges()
    {
        var crop = new RandomResizedCrop(6);
        for (int seed = 0; seed < 50; seed++)
        {
            var (top, left, h, w) = crop.GetParams(40, 30, new Random(seed));
            Assert.InRange(top, 0, 30 - h);
            Assert.InRange(left, 0, 40 - w);
            Assert.InRange(w * h, 0.08 * 1200 * 0.8, 1200);
            Assert.Equal((6, 6), (crop.Apply(Positions(40, 30), new Random(seed)).Width, crop.Apply(Positions(40, 30), new Random(seed)).Height));
        }
    }

    [Fact]
    public void Horizontal_flip_mirrors_with_its_probability()
    {
        var image = Grey(3, 1, 1, 2, 3);
        Assert.Equal(new byte[] { 3, 2, 1 }, Red(new RandomHorizontalFlip(1).Apply(image, new Random(0))));
        Assert.Equal(new byte[] { 1, 2, 3 }, Red(new RandomHorizontalFlip(0).Apply(image, new Random(0))));
        for (int seed = 0; seed < 10; seed++)
        {
            bool flips = new Random(seed).NextDouble() < 0.5;
            Assert.Equal(flips ? new byte[] { 3, 2, 1 } : new byte[] { 1, 2, 3 }, Red(new RandomHorizontalFlip().Apply(image, new Random(seed))));
        }
    }

    [Fact]
    public void Colour_operations_are_PILs()
    {
        Assert.Equal(new byte[] { 15, 150, 255 }, Red(TrivialAugmentWide.Apply(Grey(3, 1, 10, 100, 200), AugmentOp.Brightness, 0.5)));   // trunc(1.5 v), clipped
        Assert.Equal(new byte[] { 10, 127, 55 }, Red(TrivialAugmentWide.Apply(Grey(3, 1, 10, 128, 200), AugmentOp.Solarize, 128)));     // v >= 128 -> 255 - v
        Assert.Equal(new byte[] { 0x30, 0xF0 }, Red(TrivialAugmentWide.Apply(Grey(2, 1, 0x37, 0xFF), AugmentOp.Posterize, 4)));         // top 4 bits
        Assert.Equal(new byte[] { 25, 75 }, Red(TrivialAugmentWide.Apply(Grey(2, 1, 0, 100), AugmentOp.Contrast, -0.5)));                // mean 50 + 0.5 (v - 50)
        Assert.Equal(new byte[] { 0, 127, 255 }, Red(TrivialAugmentWide.Apply(Grey(3, 1, 50, 100, 150), AugmentOp.AutoContrast, 0)));   // (v - 50) x 2.55, truncated
        // Colour with factor 0 is the luminance: (19595 x 255 + 32768) >> 16 = 76 for pure red.
        Assert.Equal(new byte[] { 76, 76, 76 }, TrivialAugmentWide.Apply(new PixelImage(1, 1, [255, 0, 0]), AugmentOp.Color, -1).Pixels);
        // Sharpness with factor 0 is the SMOOTH filter: the centre becomes 5 x 130 / 13 = 50, the border stays.
        var spike = Grey(3, 3, 0, 0, 0, 0, 130, 0, 0, 0, 0);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 50, 0, 0, 0, 0 }, Red(TrivialAugmentWide.Apply(spike, AugmentOp.Sharpness, -1)));
    }

    [Fact]
    public void Equalize_is_PILs()
    {
        // 1024 pixels: 512 at 10, 256 at 20, 256 at 30. step = (1024 - 256) // 256 = 3, n starts at 1:
        // lut[10] = 1 // 3 = 0, lut[20] = 513 // 3 = 171, lut[30] = 769 // 3 = 256 -> 255.
        var values = Enumerable.Repeat((byte)10, 512).Concat(Enumerable.Repeat((byte)20, 256)).Concat(Enumerable.Repeat((byte)30, 256)).ToArray();
        var equalized = Red(TrivialAugmentWide.Apply(Grey(32, 32, values), AugmentOp.Equalize, 0));
        Assert.Equal(new byte[] { 0, 171, 255 }, new[] { equalized[0], equalized[600], equalized[1000] });
    }

    [Fact]
    public void Geometric_operations_sample_as_PILs_nearest_affine()
    {
        var row = Grey(3, 1, 10, 20, 30);
        Assert.Equal(new byte[] { 0, 10, 20 }, Red(TrivialAugmentWide.Apply(row, AugmentOp.TranslateX, 1.9)));  // int(1.9) = 1 pixel right, black fill
        Assert.Equal(new byte[] { 20, 30, 0 }, Red(TrivialAugmentWide.Apply(row, AugmentOp.TranslateX, -1)));
        // ShearX 0.5 about the top-left corner: output (x, y) reads x + 0.5 (y + 0.5) + 0.5 truncated: row 0 stays, row 1 moves left by 1.
        var grid = Grey(3, 2, 1, 2, 3, 4, 5, 6);
        Assert.Equal(new byte[] { 1, 2, 3, 5, 6, 0 }, Red(TrivialAugmentWide.Apply(grid, AugmentOp.ShearX, 0.5)));
        Assert.Equal(new byte[] { 6, 5, 4, 3, 2, 1 }, Red(TrivialAugmentWide.Apply(grid, AugmentOp.Rotate, 180)));
        // 90 degrees anticlockwise about the centre of a 2x2 image: the top-right pixel goes to the top-left.
        Assert.Equal(new byte[] { 2, 4, 1, 3 }, Red(TrivialAugmentWide.Apply(Grey(2, 2, 1, 2, 3, 4), AugmentOp.Rotate, 90)));
    }

    [Fact]
    public void TrivialAugment_uses_torchvisions_wide_magnitudes_and_draw_order()
    {
        var ta = new TrivialAugmentWide();
        Assert.Equal((2.0, false), ta.Magnitude(AugmentOp.Posterize, 30));   // 8 - round(30 / 5)
        Assert.Equal((8.0, false), ta.Magnitude(AugmentOp.Posterize, 2));    // 8 - round(0.4)
        Assert.Equal((32.0, true), ta.Magnitude(AugmentOp.TranslateX, 30));
        Assert.Equal((67.5, true), ta.Magnitude(AugmentOp.Rotate, 15));
        Assert.Equal((0.99, true), ta.Magnitude(AugmentOp.Brightness, 30));
        Assert.Equal((127.5, false), ta.Magnitude(AugmentOp.Solarize, 15));
        for (int seed = 0; seed < 40; seed++)
        {
            var replay = new Random(seed);
            var op = (AugmentOp)replay.Next(14);
            double magnitude = 0;
            if (op is not (AugmentOp.Identity or AugmentOp.AutoContrast or AugmentOp.Equalize))
            {
                var (m, signed) = ta.Magnitude(op, replay.Next(31));
                magnitude = signed && replay.Next(2) == 1 ? -m : m;
            }
            Assert.Equal((op, magnitude), ta.Draw(new Random(seed)));
            var image = Positions(5, 4);
            Assert.Equal(TrivialAugmentWide.Apply(image, op, magnitude).Pixels, ta.Apply(image, new Random(seed)).Pixels);
        }
    }

    [Fact]
    public void Normalisation_is_ToTensor_then_Normalize_channel_major()
    {
        var transform = ImageTransform.Normalize([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.25f]);
        var output = transform.Apply(new PixelImage(1, 1, [255, 0, 51]), new Random(0));
        Assert.Equal(new[] { 1f, -1f, -1.2f }, output, (a, b) => Math.Abs(a - b) < 1e-6); // (1 - .5)/.5, (0 - .5)/.5, (.2 - .5)/.25
        var two = ImageTransform.Normalize([0f, 0f, 0f], [1f, 1f, 1f]).Apply(Positions(2, 2), new Random(0));
        Assert.Equal(new[] { 0f, 1, 10, 11 }.Select(v => v / 255f), two.Take(4), (a, b) => Math.Abs(a - b) < 1e-6); // the red plane first
        var grey = new ImageTransform([new Grayscale()], [0f], [1f]).Apply(new PixelImage(1, 1, [255, 0, 0]), new Random(0));
        Assert.Equal(76f / 255f, grey.Single(), 6);
    }

    [Fact]
    public void The_evaluation_transform_is_the_models_preprocessing()
    {
        var config = new PreprocessConfig(4, 0.8, [0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f]);
        var image = Positions(7, 6);
        var eval = ImageTransform.Eval(config);
        // Resize then CenterCrop step by step (the whole image resized) gives what the fused, crop-only path gives.
        var stepByStep = eval.ToTensorAndNormalize(eval.Steps[1].Apply(eval.Steps[0].Apply(image, new Random(0)), new Random(0)));
        Assert.Equal(stepByStep, eval.Apply(image, new Random(1)));
        Assert.Equal(stepByStep, Preprocessing.Apply(image, config));
        Assert.Equal("Resize(size=5, interpolation=bicubic), CenterCrop(size=(4, 4)), ToTensor(), Normalize(mean=[0.5, 0.4, 0.3], std=[0.2, 0.25, 0.3])", eval.Description);
    }

    [Fact]
    public void The_training_transform_is_timms_and_deterministic_per_seed()
    {
        var train = ImageTransform.Train(PreprocessConfig.Inception(8));
        Assert.Equal("RandomResizedCrop(size=(8, 8), scale=(0.08, 1), ratio=(0.75, 1.3333333333333333), interpolation=bicubic), RandomHorizontalFlip(p=0.5), " +
                     "TrivialAugmentWide(num_magnitude_bins=31, interpolation=nearest, fill=0), ToTensor(), Normalize(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])",
                     train.Description);
        var image = Positions(20, 16);
        Assert.Equal(3 * 8 * 8, train.Apply(image, new Random(5)).Length);
        Assert.Equal(train.Apply(image, new Random(5)), train.Apply(image, new Random(5)));
        Assert.NotEqual(train.Apply(image, new Random(5)), train.Apply(image, new Random(6)));
    }
}
