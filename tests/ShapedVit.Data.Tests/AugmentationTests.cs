using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

public class AugmentationTests
{
    // One 3x3 grey image with distinct values, label 4.
    private static readonly LabeledImages Image = new([10, 20, 30, 40, 50, 60, 70, 80, 90], [4], 1, 3, 3, Enumerable.Range(0, 10).Select(i => $"class {i}").ToArray());
    private static readonly PixelNormalization Unit = PixelNormalization.Grey(0f, 1f / 255f); // x/255 / (1/255) = raw byte

    private static float[] Batch(AugmentationOptions augmentation, Random? rng)
    {
        var pixels = new float[9];
        var labels = new long[1];
        ImageBatches.Fill(Image, [0], pixels, labels, Unit, augmentation, rng);
        Assert.Equal(4, labels[0]);
        return pixels;
    }

    [Fact]
    public void Normalisation_is_x_over_255_minus_mean_over_std()
    {
        var pixels = new float[9];
        ImageBatches.Fill(Image, [0], pixels, new long[1], PixelNormalization.Grey(0.5f, 0.25f), AugmentationOptions.None, null);
        Assert.Equal((10 / 255f - 0.5f) / 0.25f, pixels[0], 5);
        Assert.Equal((90 / 255f - 0.5f) / 0.25f, pixels[8], 5);
    }

    [Fact]
    public void Without_augmentation_the_image_is_unchanged()
    {
        Assert.Equal(new float[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, Batch(AugmentationOptions.None, null).Select(v => MathF.Round(v)));
    }

    [Fact]
    public void Flip_only_mirrors_each_row_when_drawn()
    {
        // With flip only, the generator draws one Next(2) per image: replay it to know which way it went.
        var seeds = Enumerable.Range(0, 20).ToArray();
        foreach (int seed in seeds)
        {
            bool flipped = new Random(seed).Next(2) == 1;
            var pixels = Batch(new AugmentationOptions(0, true), new Random(seed)).Select(v => MathF.Round(v)).ToArray();
            Assert.Equal(flipped ? new float[] { 30, 20, 10, 60, 50, 40, 90, 80, 70 } : new float[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, pixels);
        }
    }

    [Fact]
    public void Crop_shifts_the_image_and_fills_with_zeros()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var replay = new Random(seed);
            int dy = replay.Next(3) - 1, dx = replay.Next(3) - 1;
            var pixels = Batch(new AugmentationOptions(1, false), new Random(seed)).Select(v => MathF.Round(v)).ToArray();
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                {
                    int sy = y + dy, sx = x + dx;
                    float expected = sy is >= 0 and < 3 && sx is >= 0 and < 3 ? Image.Pixels[sy * 3 + sx] : 0;
                    Assert.Equal(expected, pixels[y * 3 + x]);
                }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_shuffle_and_batch()
    {
        Assert.Equal(ImageSeeds.Shuffle(100, new Random(7)), ImageSeeds.Shuffle(100, new Random(7)));
        Assert.NotEqual(ImageSeeds.Shuffle(100, new Random(7)), ImageSeeds.Shuffle(100, new Random(8)));
        Assert.Equal(Enumerable.Range(0, 100), ImageSeeds.Shuffle(100, new Random(7)).Order());
    }
}
