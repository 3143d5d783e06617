using ShapedVit.Samples.FineTune;

namespace ShapedVit.Samples.Tests;

/// <summary>FineTune's augmentation follows the images: timm's photo recipe for colour pictures, a milder one for small or grey images.</summary>
public class AugmentationRecipeTests
{
    [Theory]
    [InlineData(224, false, "recipe photo (colour images, 224 px, 8 looked at): RandomResizedCrop scale 0.08-1, flip on, TrivialAugment on")]
    [InlineData(64, false, "recipe small (small images, 64 px, 8 looked at): RandomResizedCrop scale 1-1, flip off, TrivialAugment off")]
    [InlineData(224, true, "recipe small (grey images, 224 px, 8 looked at): RandomResizedCrop scale 1-1, flip off, TrivialAugment off")]
    public void Auto_derives_the_recipe_from_size_and_colour(int side, bool grey, string expected) =>
        Assert.Equal(expected, AugmentationRecipe.For(RecipeName.Auto, new ImageSample(side, grey, 8)).Describe());

    [Fact]
    public void A_named_recipe_and_the_flags_override_what_the_images_say()
    {
        var small = new ImageSample(28, true, 8);
        Assert.Equal("recipe photo (--recipe photo): RandomResizedCrop scale 0.08-1, flip on, TrivialAugment on",
                     AugmentationRecipe.For(RecipeName.Photo, small).Describe());
        Assert.Equal("recipe photo (--recipe photo): RandomResizedCrop scale 0.3-1, flip off, TrivialAugment off",
                     AugmentationRecipe.For(RecipeName.Photo, small).With(0.3, noFlip: true, noTrivialAugment: true).Describe());
    }
}
