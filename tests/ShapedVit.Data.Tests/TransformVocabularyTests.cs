using System.Text.Json;
using ShapedVit.Checkpoints;
using ShapedVit.Data;

namespace ShapedVit.Data.Tests;

/// <summary>One vocabulary: every pipeline is steps plus normalisation, compared as typed values and saved as JSON.</summary>
public class TransformVocabularyTests
{
    private static readonly ImageTransform[] Pipelines =
    [
        ImageTransform.Train(PreprocessConfig.ImageNet(32)),
        ImageTransform.Train(PreprocessConfig.Inception(28) with { Mean = [0.5f], Std = [0.5f], Channels = 1 }, minScale: 0.5, trivialAugment: false),
        ImageTransform.Eval(PreprocessConfig.ImageNet(224) with { Interpolation = Interpolation.Bilinear }),
        new ImageTransform([new RandomCrop(28, 28, 2), new RandomHorizontalFlip()], [0.2860f], [0.3530f]),
        ImageTransform.Normalize([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]),
    ];

    [Fact]
    public void A_pipeline_saved_as_json_reads_back_equal()
    {
        foreach (var pipeline in Pipelines)
        {
            var read = JsonSerializer.Deserialize<ImageTransform>(JsonSerializer.Serialize(pipeline))!;
            Assert.Equal(pipeline, read);
            Assert.True(pipeline == read);
            Assert.Equal(pipeline.Description, read.Description);
        }
    }

    [Fact]
    public void Any_changed_number_or_step_makes_another_pipeline()
    {
        for (int i = 0; i < Pipelines.Length; i++)
            for (int j = 0; j < Pipelines.Length; j++)
                Assert.Equal(i == j, Pipelines[i].Equals(Pipelines[j]));
        var fashion = Pipelines[3];
        Assert.NotEqual(fashion, new ImageTransform([new RandomCrop(28, 28, 3), new RandomHorizontalFlip()], [0.2860f], [0.3530f]));
        Assert.NotEqual(fashion, new ImageTransform([new RandomCrop(28, 28, 2), new RandomHorizontalFlip(0.4)], [0.2860f], [0.3530f]));
        Assert.NotEqual(fashion, new ImageTransform([new RandomHorizontalFlip(), new RandomCrop(28, 28, 2)], [0.2860f], [0.3530f]));
        Assert.NotEqual(fashion, new ImageTransform([new RandomCrop(28, 28, 2), new RandomHorizontalFlip()], [0.2861f], [0.3530f]));
        Assert.NotEqual(fashion, fashion.WithSteps());
        Assert.Equal(fashion, fashion.WithSteps([.. fashion.Steps]));
    }

    [Fact]
    public void Crop_padding_and_flip_are_ordinary_steps_in_the_one_grammar()
    {
        Assert.Equal("RandomCrop(size=(28, 28), padding=2), RandomHorizontalFlip(p=0.5), ToTensor(), Normalize(mean=[0.286], std=[0.353])", Pipelines[3].Description);
        Assert.Equal("RandomResizedCrop(size=(28, 28), scale=(0.5, 1), ratio=(0.75, 1.3333333333333333), interpolation=bicubic), RandomHorizontalFlip(p=0.5), " +
                     "Grayscale(num_output_channels=1), ToTensor(), Normalize(mean=[0.5], std=[0.5])", Pipelines[1].Description);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_geometric_steps_work_for_any_channel_count(int channels)
    {
        var pixels = Enumerable.Range(0, 6 * 5 * channels).Select(i => (byte)i).ToArray();
        var image = new PixelImage(6, 5, pixels, channels);
        IImageTransform[] steps = [new RandomResizedCrop(4), new RandomCrop(4, 4, 1), new RandomHorizontalFlip(1.0), new Resize(3), new CenterCrop(2)];
        foreach (var step in steps)
        {
            var output = step.Apply(image, new Random(0));
            Assert.Equal(channels, output.Channels);
            Assert.Equal(step.OutputSize(6, 5), (output.Width, output.Height));
        }
        var flipped = new RandomHorizontalFlip(1.0).Apply(image, new Random(0));
        Assert.Equal(pixels.AsSpan(5 * channels, channels).ToArray(), flipped.Pixels.AsSpan(0, channels).ToArray()); // pixel (5, 0) comes first
    }

    [Fact]
    public void TrivialAugment_works_on_grey_images_and_refuses_other_counts()
    {
        var grey = new PixelImage(8, 8, Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray(), 1);
        foreach (AugmentOp op in Enum.GetValues<AugmentOp>())
            Assert.Equal(1, TrivialAugmentWide.Apply(grey, op, op == AugmentOp.Posterize ? 4 : 0.5).Channels);
        Assert.Equal(grey.Pixels, TrivialAugmentWide.Apply(grey, AugmentOp.Color, 0.9).Pixels); // PIL: an "L" image has no colour to change
        var twoChannels = new PixelImage(2, 2, new byte[8], 2);
        Assert.Equal("TrivialAugmentWide works on RGB and grey images, not 2 channels.",
                     Assert.Throws<ArgumentException>(() => new TrivialAugmentWide().Apply(twoChannels, new Random(0))).Message);
    }

    [Fact]
    public void Normalisation_needs_as_many_channels_as_the_steps_leave()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageTransform.Normalize([0.5f], [0.5f]).Apply(new PixelImage(1, 1, [1, 2, 3]), new Random(0)));
        Assert.Equal("The transform's steps left an image of 3 channel(s); its normalisation has 1 (add Grayscale for a grey model).", e.Message);
    }
}
