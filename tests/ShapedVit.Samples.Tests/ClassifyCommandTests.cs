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

public class ClassifyFailureTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Non_finite_logits_are_an_error_for_each_image()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("nan.safetensors"), a = dir.File("a.png"), b = dir.File("b.png");
        using (var model = FashionModel.Create(1))
        {
            using (TorchSharp.torch.no_grad())
                foreach (var (name, parameter) in model.named_parameters())
                    if (name.StartsWith("head.", StringComparison.Ordinal)) parameter.fill_(double.NaN);
            model.SaveSafetensors(checkpoint, FashionModel.Metadata);
        }
        File.WriteAllBytes(a, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), 0, 0)));
        File.WriteAllBytes(b, TestImages.Png(28, 28, (x, y) => new SKColor(0, (byte)(y * 9), 0)));
        var (code, output, error) = Run(a, b, "--checkpoint", checkpoint);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var errors = error.TrimEnd('\n').Split('\n');
        Assert.Equal(2, errors.Length);
        Assert.Equal($"error: {a}: the model's outputs are not finite numbers (NaN or infinity); the checkpoint's weights may be corrupt.", errors[0]);
        Assert.StartsWith($"error: {b}: the model's outputs are not finite", errors[1]);
    }

    [Fact]
    public void A_thin_strip_and_a_tiny_crop_ratio_fail_or_pass_on_their_own_and_the_next_image_is_classified()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), strip = dir.File("strip.png"), good = dir.File("good.png");
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata);
        File.WriteAllBytes(strip, TestImages.Png(1, 1000, (_, y) => new SKColor((byte)y, 0, 0)));
        File.WriteAllBytes(good, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        // Before: --crop-pct 0.01 on a 1x1000 image crashed the process (exit 134) and the next image was never seen.
        var (code, output, error) = Run(strip, good, "--checkpoint", checkpoint, "--crop-pct", "0.01");
        Assert.True(code == 0, error);
        Assert.Contains($"{strip}:", output);
        Assert.Contains($"{good}:", output);
    }

    [Fact]
    public void A_device_file_is_refused_and_the_next_image_is_classified()
    {
        if (!File.Exists("/dev/zero")) return;
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), good = dir.File("good.png");
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata);
        File.WriteAllBytes(good, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        var (code, output, error) = Run("/dev/zero", dir.Path, good, "--checkpoint", checkpoint);
        Assert.Equal(1, code);
        Assert.Equal("error: /dev/zero: a character device, not an image file.", error.TrimEnd('\n'));
        // A folder is classified image by image (it holds good.png and the checkpoint), then good.png as given.
        Assert.Equal([$"{good}:", $"{good}:"], output.Split('\n').Where(l => l.EndsWith(':')));
    }

    [Fact]
    public void An_attention_path_that_cannot_be_written_is_named_as_given()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), image = dir.File("a.png"), heat = dir.File("no/such/folder/heat.png");
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata);
        File.WriteAllBytes(image, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        var (code, _, error) = Run(image, "--checkpoint", checkpoint, "--attention", heat);
        Assert.Equal(1, code);
        string line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        // The image it was for, then the path as the user gave it (not the temporary file it is written through).
        Assert.StartsWith($"error: {image}: {heat}: cannot write the attention map: no folder ", line);
    }
}
