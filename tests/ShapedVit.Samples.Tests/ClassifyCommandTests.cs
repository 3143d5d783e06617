using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using ShapedVit.Vision;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FashionMnist;
using ShapedVit.Testing;
using ShapedVit.Training;
using SkiaSharp;

namespace ShapedVit.Samples.Tests;

public class ClassifyCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>An untrained FashionVit saved as the FashionMnist sample saves it.</summary>
    private static string MakeCheckpoint(TempDirectory dir)
    {
        string path = dir.File("model.safetensors");
        using var model = FashionModel.Create(1);
        model.SaveSafetensors(path, FashionModel.Metadata);
        return path;
    }

    [Theory]
    [InlineData("--checkpoint", "x.safetensors")]
    [InlineData("a.png", "--top", "0")]
    [InlineData("a.png", "--top", "five")]
    [InlineData("a.png", "--mean", "0.1,0.2")]
    [InlineData("a.png", "--crop-pct", "1.5")]
    [InlineData("a.png", "--norm", "sepia")]
    public void Argument_errors_are_one_line_and_exit_code_2(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Exif_orientation_is_applied_unless_ignored()
    {
        ClassifyOptions? seen = null;
        int Capture(ClassifyOptions o) { seen = o; return 0; }
        Assert.Equal(0, ClassifyCommand.Run(["a.jpg"], TextWriter.Null, TextWriter.Null, Capture));
        Assert.True(seen!.ApplyExifOrientation);
        Assert.Equal(0, ClassifyCommand.Run(["a.jpg", "--ignore-exif-orientation"], TextWriter.Null, TextWriter.Null, Capture));
        Assert.False(seen!.ApplyExifOrientation);
    }

    [Fact]
    public void A_missing_checkpoint_is_one_line()
    {
        var (code, _, error) = Run("a.png", "--checkpoint", "/no/model.safetensors");
        Assert.Equal(1, code);
        Assert.StartsWith("error: checkpoint /no/model.safetensors not found", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Bad_images_each_get_one_line_and_the_good_ones_are_still_classified()
    {
        using var dir = new TempDirectory();
        string checkpoint = MakeCheckpoint(dir);
        string good = dir.File("good.png"), empty = dir.File("empty.png"), text = dir.File("text.jpg"), bomb = dir.File("bomb.png"), cut = dir.File("cut.png"), missing = dir.File("missing.webp");
        File.WriteAllBytes(good, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        File.WriteAllBytes(empty, []);
        File.WriteAllText(text, "not an image");
        File.WriteAllBytes(bomb, TestImages.HugePngHeader(50_000, 50_000));
        byte[] big = TestImages.Png(64, 64, (x, y) => new SKColor((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y)));
        File.WriteAllBytes(cut, big[..(big.Length / 2)]);

        var (code, output, error) = Run(empty, good, text, bomb, cut, missing, "--checkpoint", checkpoint, "--top", "3");
        Assert.Equal(1, code);
        var errors = error.TrimEnd('\n').Split('\n');
        Assert.Equal(5, errors.Length);
        Assert.Equal($"error: {empty}: empty file.", errors[0]);
        Assert.StartsWith($"error: {text}: not a supported image", errors[1]);
        Assert.StartsWith($"error: {bomb}: 50000x50000 = 2500000000 pixels exceeds the limit", errors[2]);
        Assert.StartsWith($"error: {cut}: ", errors[3]);
        Assert.Equal($"error: {missing}: no such file.", errors[4]);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length); // the good image: its name and its top 3
        Assert.Equal($"{good}:", lines[0]);
        Assert.All(lines[1..], l => Assert.Matches(@"^  0\.\d{4}  \S", l));
    }

    [Fact]
    public void The_pixel_limit_option_refuses_large_images()
    {
        using var dir = new TempDirectory();
        string checkpoint = MakeCheckpoint(dir);
        string image = dir.File("photo.png");
        File.WriteAllBytes(image, TestImages.Png(40, 30, (_, _) => SKColors.Gray));
        var (code, _, error) = Run(image, "--checkpoint", checkpoint, "--max-pixels", "1000");
        Assert.Equal(1, code);
        Assert.Equal($"error: {image}: 40x30 = 1200 pixels exceeds the limit of 1000 (possible decompression bomb; raise --max-pixels to allow it).", error.TrimEnd('\n'));
    }

    [Fact]
    public void Attention_rollout_is_written_as_a_png_over_the_image()
    {
        using var dir = new TempDirectory();
        string checkpoint = MakeCheckpoint(dir);
        string image = dir.File("photo.png"), heat = dir.File("heat.png"), labels = dir.File("labels.txt");
        File.WriteAllBytes(image, TestImages.Png(56, 40, (x, y) => new SKColor((byte)(x * 4), (byte)(y * 6), 30)));
        File.WriteAllLines(labels, Enumerable.Range(0, 10).Select(i => $"label-{i}"));
        var (code, output, error) = Run(image, "--checkpoint", checkpoint, "--attention", heat, "--labels", labels, "--top", "2");
        Assert.True(code == 0, error);
        Assert.Contains("label-", output);
        Assert.Contains($"attention rollout: {heat}", output);
        var decoded = ImageDecoder.Decode(heat);
        Assert.Equal((224, 224), (decoded.Width, decoded.Height)); // 28 px drawn 8x larger
    }

    [Fact]
    public void A_labels_file_of_the_wrong_length_is_refused()
    {
        using var dir = new TempDirectory();
        string checkpoint = MakeCheckpoint(dir);
        string labels = dir.File("labels.txt");
        File.WriteAllLines(labels, ["cat", "dog"]);
        var (code, _, error) = Run("x.png", "--checkpoint", checkpoint, "--labels", labels);
        Assert.Equal(1, code);
        Assert.Equal($"error: {labels}: 2 labels for a model of 10 classes.", error.TrimEnd('\n'));
    }
}
