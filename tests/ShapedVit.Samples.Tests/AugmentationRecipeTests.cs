using ShapedVit.Data;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.Tests;

/// <summary>FineTune's augmentation follows the images: timm's photo recipe for colour pictures, a milder one for small or grey images.</summary>
public class AugmentationRecipeTests
{
    [Theory]
    [InlineData(224, false, "recipe photo (colour images, 224 px, 8 looked at): RandomResizedCrop scale 0.08-1, shift off, flip on, TrivialAugment on")]
    [InlineData(64, false, "recipe small (small images, 64 px, 8 looked at): RandomResizedCrop scale 1-1, shift off, flip off, TrivialAugment off")]
    [InlineData(224, true, "recipe small (grey images, 224 px, 8 looked at): RandomResizedCrop scale 1-1, shift off, flip off, TrivialAugment off")]
    public void Auto_derives_the_recipe_from_size_and_colour(int side, bool grey, string expected) =>
        Assert.Equal(expected, AugmentationRecipe.For(RecipeName.Auto, new ImageSample(side, grey, 8)).Describe());

    [Fact]
    public void A_named_recipe_and_the_flags_override_what_the_images_say()
    {
        var small = new ImageSample(28, true, 8);
        Assert.Equal("recipe photo (--recipe photo): RandomResizedCrop scale 0.08-1, shift off, flip on, TrivialAugment on",
                     AugmentationRecipe.For(RecipeName.Photo, small).Describe());
        Assert.Equal("recipe photo (--recipe photo): RandomResizedCrop scale 0.3-1, shift up to 2 px (RandomCrop padding 2), flip off, TrivialAugment off",
                     AugmentationRecipe.For(RecipeName.Photo, small).With(0.3, 2, noFlip: true, noTrivialAugment: true).Describe());
        Assert.Equal("recipe small (--recipe small): RandomResizedCrop scale 0.75-1, shift off, flip off, TrivialAugment off",
                     AugmentationRecipe.For(RecipeName.Small, new ImageSample(224, false, 8)).With(0.75, 0, noFlip: false, noTrivialAugment: false).Describe());
    }

    [Fact]
    public void The_shift_is_a_random_crop_of_the_input_size_from_the_padded_image_right_after_the_resized_crop()
    {
        var recipe = AugmentationRecipe.For(RecipeName.Auto, new ImageSample(28, true, 8)).With(null, 3, noFlip: false, noTrivialAugment: false);
        Assert.Equal("RandomResizedCrop(size=(28, 28), scale=(1, 1), ratio=(0.75, 1.3333333333333333), interpolation=bicubic), RandomCrop(size=(28, 28), padding=3), " +
                     "Grayscale(num_output_channels=1), ToTensor(), Normalize(mean=[0.286], std=[0.353])", recipe.Transform(FashionModel.Preprocessing).Description);
        Assert.Equal("RandomResizedCrop(size=(28, 28), scale=(1, 1), ratio=(0.75, 1.3333333333333333), interpolation=bicubic), " +
                     "Grayscale(num_output_channels=1), ToTensor(), Normalize(mean=[0.286], std=[0.353])",
                     recipe.With(null, 0, noFlip: false, noTrivialAugment: false).Transform(FashionModel.Preprocessing).Description);

        // One lit pixel in the middle: the whole image is kept (scale 1) and moved by at most 3 pixels each way, every shift
        // from -3 to 3 occurs, and what comes in from beyond the border is black.
        var pixels = new byte[28 * 28 * 3];
        pixels.AsSpan((14 * 28 + 14) * 3, 3).Fill(255);
        var image = new PixelImage(28, 28, pixels, 3);
        var transform = recipe.Transform(FashionModel.Preprocessing);
        var shifts = new HashSet<(int, int)>();
        for (int seed = 0; seed < 400; seed++)
        {
            var shifted = transform.ApplySteps(image, new Random(seed));
            Assert.Equal((28, 28, 1), (shifted.Width, shifted.Height, shifted.Channels));
            int lit = Array.FindIndex(shifted.Pixels, p => p > 128);
            Assert.True(lit >= 0, $"seed {seed}: the lit pixel was shifted out");
            Assert.Single(shifted.Pixels, p => p > 128);
            shifts.Add((lit / 28 - 14, lit % 28 - 14));
        }
        Assert.Equal(49, shifts.Count);
        Assert.All(shifts, s => Assert.True(Math.Abs(s.Item1) <= 3 && Math.Abs(s.Item2) <= 3, $"shift {s}"));
    }

    [Fact]
    public void A_padding_beyond_half_the_input_side_is_refused_in_one_line()
    {
        var recipe = AugmentationRecipe.For(RecipeName.Small, new ImageSample(28, true, 8)).With(null, 15, noFlip: false, noTrivialAugment: false);
        var e = Assert.Throws<ArgumentException>(() => recipe.Transform(FashionModel.Preprocessing));
        Assert.Equal("--crop-padding 15 is outside 0-14: at most half the model's 28 px input side.", e.Message);
        Assert.Equal(14, recipe.With(null, 14, false, false).Transform(FashionModel.Preprocessing).Steps.OfType<RandomCrop>().Single().Padding);
    }
}
