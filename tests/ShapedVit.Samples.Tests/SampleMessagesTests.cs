using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using SkiaSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>The samples' messages, each tested by its exact text: every sample says what is right for it.</summary>
public class SampleMessagesTests
{
    private static (int Code, string Output, string Error) Classify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString().Replace("\r\n", "\n"));
    }

    private static (int Code, string Output, string Error) FineTune(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FineTuneCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString().Replace("\r\n", "\n"));
    }

    private static string Checkpoint(TempDirectory dir)
    {
        string path = dir.File("model.safetensors");
        using var model = FashionModel.Create(1);
        model.SaveSafetensors(path, FashionModel.Metadata);
        return path;
    }

    private static void Png(string path) => File.WriteAllBytes(path, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));

    [Fact]
    public void Classify_without_its_default_checkpoint_suggests_training_the_fashion_mnist_sample()
    {
        var (code, _, error) = Classify("a.png");
        Assert.Equal(1, code);
        Assert.Equal($"error: checkpoint {ClassifyOptions.DefaultCheckpoint} not found: train the FashionMnist sample first " +
                     "(dotnet run --project samples/FashionMnist -c Release), or give --checkpoint FILE.\n", error);
    }

    [Fact]
    public void Classify_with_a_missing_checkpoint_it_was_given_says_to_check_the_path()
    {
        var (code, _, error) = Classify("a.png", "--checkpoint", "runs/my-task/model.safetensors");
        Assert.Equal(1, code);
        Assert.Equal("error: checkpoint runs/my-task/model.safetensors not found: check the path " +
                     "(FashionMnist and FineTune write model.safetensors into their --out folder).\n", error);
    }

    [Fact]
    public void FineTune_with_a_missing_pretrained_checkpoint_says_how_to_get_one()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(RepositoryRoot.Path, "samples", "data", "fashion-5-9-folder");
        var (code, _, error) = FineTune(folder, "--checkpoint", "/no/pretrained.safetensors", "--out", dir.Path);
        Assert.Equal(1, code);
        Assert.Equal("error: pre-trained checkpoint /no/pretrained.safetensors not found: pre-train one " +
                     "(dotnet run --project samples/FashionMnist -c Release writes runs/fashion-mnist/model.safetensors) " +
                     "or give a timm/torchvision .safetensors file with --model NAME.\n", error);
    }

    [Fact]
    public void Classify_takes_a_folder_and_classifies_its_images_in_name_order()
    {
        using var dir = new TempDirectory();
        string checkpoint = Checkpoint(dir), folder = Path.Combine(dir.Path, "photos");
        Directory.CreateDirectory(Path.Combine(folder, "nested"));
        Png(Path.Combine(folder, "b.png"));
        Png(Path.Combine(folder, "a.PNG"));
        Png(Path.Combine(folder, "nested", "c.png"));    // subfolders are not read
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");
        var (code, output, error) = Classify(folder, "--checkpoint", checkpoint, "--top", "1");
        Assert.True(code == 0, error);
        var headers = output.Split('\n').Where(l => l.EndsWith(':')).ToArray();
        Assert.Equal([$"{Path.Combine(folder, "a.PNG")}:", $"{Path.Combine(folder, "b.png")}:"], headers);
    }

    [Fact]
    public void Classify_says_in_one_line_that_a_folder_has_no_images_and_still_classifies_the_rest()
    {
        using var dir = new TempDirectory();
        string checkpoint = Checkpoint(dir), empty = Path.Combine(dir.Path, "empty"), image = dir.File("a.png");
        Directory.CreateDirectory(empty);
        Png(image);
        var (code, output, error) = Classify(empty, image, "--checkpoint", checkpoint, "--top", "1");
        Assert.Equal(1, code);
        Assert.Equal($"error: {empty}: the folder has no images (.jpg, .jpeg, .png, .webp, .bmp, .gif).\n", error);
        Assert.StartsWith($"{image}:", output);
    }

    [Fact]
    public void FineTune_refuses_a_folder_of_one_class_in_one_line()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(Path.Combine(data, "cats"));
        for (int i = 0; i < 3; i++) Png(Path.Combine(data, "cats", $"{i}.png"));
        string checkpoint = Checkpoint(dir);
        var (code, output, error) = FineTune(data, "--checkpoint", checkpoint, "--out", Path.Combine(dir.Path, "run"), "--plain");
        Assert.Equal(1, code);
        Assert.Equal($"error: {data} has 1 class folder (cats): a classifier needs at least 2 classes, one subfolder of images each.\n", error);
        Assert.DoesNotContain("epoch", output);
    }

    [Theory]
    [InlineData(1, "1 image")]
    [InlineData(0, "0 images")]
    [InlineData(107, "107 images")]
    public void Counts_are_plural_only_when_they_are_not_one(long count, string expected) =>
        Assert.Equal(expected, ConfusionReport.Plural(count, "image", "images"));
}
