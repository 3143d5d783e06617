using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

/// <summary>The in-memory data set's transform: the same steps as any other data set's (crop padding and flip are ordinary steps).</summary>
public class AugmentationTests
{
    private static readonly string[] TenClasses = Enumerable.Range(0, 10).Select(i => $"class {i}").ToArray();

    // One 3x3 grey image with distinct values, label 4.
    private static readonly LabeledImages Image = new([10, 20, 30, 40, 50, 60, 70, 80, 90], [4], 1, 3, 3, TenClasses);
    private static readonly float[] UnitMean = [0f], UnitStd = [1f / 255f]; // x/255 / (1/255) = raw byte

    private static float[] Batch(params IImageTransform[] steps) => Batch(0, steps);

    private static float[] Batch(int seed, params IImageTransform[] steps)
    {
        var (images, labels) = Image.WithTransform(new ImageTransform(steps, UnitMean, UnitStd)).MakeBatch([0], seed);
        using (images) using (labels)
        {
            Assert.Equal(4, labels.item<long>());
            return images.data<float>().ToArray();
        }
    }

    [Fact]
    public void Normalisation_is_x_over_255_minus_mean_over_std()
    {
        var (images, _) = Image.WithTransform(ImageTransform.Normalize([0.5f], [0.25f])).MakeBatch([0]);
        var pixels = images.data<float>().ToArray();
        Assert.Equal((10 / 255f - 0.5f) / 0.25f, pixels[0], 5);
        Assert.Equal((90 / 255f - 0.5f) / 0.25f, pixels[8], 5);
    }

    [Fact]
    public void Without_augmentation_the_image_is_unchanged()
    {
        Assert.Equal(new float[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, Batch().Select(v => MathF.Round(v)));
    }

    [Fact]
    public void Flip_only_mirrors_each_row_when_drawn()
    {
        // The flip draws one NextDouble per image (torchvision's rand(1) < p), from the image's own seed: replay it.
        for (int seed = 0; seed < 20; seed++)
        {
            bool flipped = new Random(ImageSeeds.For(seed, 0)).NextDouble() < 0.5;
            var pixels = Batch(seed, new RandomHorizontalFlip()).Select(v => MathF.Round(v)).ToArray();
            Assert.Equal(flipped ? new float[] { 30, 20, 10, 60, 50, 40, 90, 80, 70 } : new float[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, pixels);
        }
    }

    [Fact]
    public void Crop_shifts_the_image_and_fills_with_zeros()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var replay = new Random(ImageSeeds.For(seed, 0));
            int dy = replay.Next(3) - 1, dx = replay.Next(3) - 1;
            var pixels = Batch(seed, new RandomCrop(3, 3, Padding: 1)).Select(v => MathF.Round(v)).ToArray();
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
    public void Flip_of_a_three_channel_image_moves_whole_pixels()
    {
        // 2x2 RGB stored channel-major: red plane 1..4, green 11..14, blue 21..24.
        var rgb = new LabeledImages([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24], [0], 3, 2, 2, TenClasses,
                                    new ImageTransform([new RandomHorizontalFlip(1.0)], [0f, 0f, 0f], [1f / 255f, 1f / 255f, 1f / 255f]));
        var (images, _) = rgb.MakeBatch([0]);
        Assert.Equal(new float[] { 2, 1, 4, 3, 12, 11, 14, 13, 22, 21, 24, 23 }, images.data<float>().ToArray().Select(v => MathF.Round(v)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_shuffle_and_batch()
    {
        Assert.Equal(ImageSeeds.Shuffle(100, new Random(7)), ImageSeeds.Shuffle(100, new Random(7)));
        Assert.NotEqual(ImageSeeds.Shuffle(100, new Random(7)), ImageSeeds.Shuffle(100, new Random(8)));
        Assert.Equal(Enumerable.Range(0, 100), ImageSeeds.Shuffle(100, new Random(7)).Order());
        var steps = new IImageTransform[] { new RandomCrop(3, 3, 1), new RandomHorizontalFlip() };
        Assert.Equal(Batch(3, steps), Batch(3, steps));
    }
}
