using Google.Protobuf;
using Onnx;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Samples.OnnxRuntimeApp;
using ShapedVit.Vision;
using SkiaSharp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// samples/OnnxRuntimeApp as a tool: PNG, JPEG and WebP of any size through the model's own preprocessing (the numbers
/// ShapedVit.Vision computes), folders, several images, any input name, checked flags and metadata, one-line errors and
/// exit codes 0, 1, 2.
/// </summary>
public class OnnxRuntimeAppTests
{
    private readonly ITestOutputHelper output;

    public OnnxRuntimeAppTests(ITestOutputHelper output)
    {
        this.output = output;
        Ort.EnsureEnvironment(); // the app's sessions use the default environment: the tests' must exist first
    }

    private static readonly string[] Labels = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];
    private const string Usage = OnnxClassifyCommand.Usage;

    private static PreprocessConfig Config(Interpolation interpolation = Interpolation.Bicubic) =>
        new(32, 0.875, Mean, Std) { Interpolation = interpolation };

    private static (IVisionTransformer Vit, string Path) Export(TempFolder folder, PreprocessConfig? config = null, string name = "micro.onnx")
    {
        var vit = new TorchvisionMicro();
        vit.LoadSafetensors(TestSupport.Fixture("vit_micro.safetensors"));
        vit.eval();
        string path = folder.File(name);
        vit.ExportOnnx(path, new OnnxExportOptions { CheckpointMetadata = CheckpointMetadata.For(vit, Labels, config ?? Config()) });
        return (vit, path);
    }

    /// <summary>A random picture of the given size, encoded as the given format.</summary>
    private static string Picture(TempFolder folder, string name, SKEncodedImageFormat format, int width = 50, int height = 41, int seed = 1)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[width * height * 4];
        random.NextBytes(pixels);
        for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(format, 90);
        string path = folder.File(name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>The model's softmax on what ShapedVit.Vision makes of the file (the Classify sample's decoder and preprocessing).</summary>
    private static float[] VisionProbabilities(IVisionTransformer vit, string image, PreprocessConfig config)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = Preprocessing.ToTensor(ImageDecoder.Decode(image), config);
        return TestSupport.Values(((nn.Module<Tensor, Tensor>)vit).forward(input).softmax(-1));
    }

    private static (int Code, string Output, string Error) App(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = OnnxClassifyCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString().TrimEnd());
    }

    /// <summary>The printed probabilities by label.</summary>
    private static Dictionary<string, float> Printed(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim().Split("%  ", 2)).ToDictionary(p => p[1], p => float.Parse(p[0], System.Globalization.CultureInfo.CurrentCulture) / 100);

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, Interpolation.Bicubic)]
    [InlineData(SKEncodedImageFormat.Jpeg, Interpolation.Bicubic)]
    [InlineData(SKEncodedImageFormat.Webp, Interpolation.Bilinear)]
    public void Png_jpeg_and_webp_of_any_size_get_the_models_preprocessing(SKEncodedImageFormat format, Interpolation interpolation)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var config = Config(interpolation);
        var (vit, path) = Export(folder, config);
        string image = Picture(folder, "picture." + format.ToString().ToLowerInvariant(), format);

        using var classifier = new OnnxClassifier(path);
        Assert.Equal("images", classifier.InputName);
        // The same input, number for number, as ShapedVit.Vision's decoder and timm's transform give.
        Assert.Equal(Preprocessing.Apply(ImageDecoder.Decode(image), config), classifier.Preprocess(ImageFile.Read(image)));

        float[] expected = VisionProbabilities(vit, image, config);
        var top = classifier.Classify(ImageFile.Read(image), top: 10);
        foreach (var (label, probability) in top)
            Assert.Equal(expected[Array.IndexOf(Labels, label)], probability, 1e-5);

        var (code, stdout, stderr) = App(path, image, "--top", "2");
        output.WriteLine(stdout + stderr);
        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal([top[0].Label, top[1].Label], Printed(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Keys);
    }

    [Fact]
    public void The_preprocessing_oracle_catches_a_different_crop()
    {
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        string image = Picture(folder, "picture.png", SKEncodedImageFormat.Png);
        using var classifier = new OnnxClassifier(path);
        var planted = Config() with { CropPct = 0.9 };
        Assert.NotEqual(Preprocessing.Apply(ImageDecoder.Decode(image), planted), classifier.Preprocess(ImageFile.Read(image)));
    }

    [Fact]
    public void A_folder_and_a_second_image_are_all_classified()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        string images = Directory.CreateDirectory(folder.File("images")).FullName;
        string a = Picture(folder, "images/a.png", SKEncodedImageFormat.Png, seed: 1);
        string b = Picture(folder, "images/b.JPG", SKEncodedImageFormat.Jpeg, seed: 2);
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(images, "sub"));
        string c = Picture(folder, "c.webp", SKEncodedImageFormat.Webp, seed: 3);

        var (code, stdout, stderr) = App(path, images, c, "--top", "1");
        output.WriteLine(stdout + stderr);
        Assert.Equal((0, ""), (code, stderr));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"{a}:", $"{b}:", $"{c}:"], lines.Where((_, i) => i % 2 == 0));
        Assert.All(lines.Where((_, i) => i % 2 == 1), l => Assert.Contains("%  ", l));
    }

    [Fact]
    public void A_model_whose_input_is_not_named_images_works()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var (vit, path) = Export(folder);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.Graph.Input[0].Name = "pixel_values";
        foreach (var node in model.Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == "images") node.Input[i] = "pixel_values";
        string renamed = folder.File("renamed.onnx");
        File.WriteAllBytes(renamed, model.ToByteArray());
        string image = Picture(folder, "picture.png", SKEncodedImageFormat.Png);

        using (var classifier = new OnnxClassifier(renamed))
            Assert.Equal("pixel_values", classifier.InputName);
        var (code, stdout, stderr) = App(renamed, image, "--top", "10");
        Assert.Equal((0, ""), (code, stderr));
        float[] expected = VisionProbabilities(vit, image, Config());
        foreach (var (label, probability) in Printed(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)))
            Assert.Equal(expected[Array.IndexOf(Labels, label)], probability, 1e-3); // printed to 0.01 %
    }

    [Theory]
    [InlineData("--top x", "Cannot parse argument 'x' for option '--top' as expected type 'System.Int32'.")]
    [InlineData("--top 0", "--top must be at least 1, not 0")]
    [InlineData("--topk 3", "unknown option '--topk' (a file whose name starts with '-' can be given as ./--topk)")]
    [InlineData("", "no image: give images or folders after the model")]
    public void Every_flag_is_checked_with_a_one_line_usage_error(string flags, string message)
    {
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        string image = Picture(folder, "picture.png", SKEncodedImageFormat.Png);
        string[] args = flags.Length == 0 ? [path] : [path, image, .. flags.Split(' ')];
        if (flags.Length == 0) Assert.Equal((2, "", $"onnx-classify: error: no model: give the .onnx file first ({Usage})"), App());
        var (code, stdout, stderr) = App(args);
        Assert.Equal((2, "", $"onnx-classify: error: {message} ({Usage})"), (code, stdout, stderr));
    }

    [Fact]
    public void Help_exits_0_and_the_console_app_gives_the_exit_codes()
    {
        var (code, stdout, _) = SampleAppTests.RunApp("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
        Assert.Contains("--top", stdout);
        (code, _, var stderr) = SampleAppTests.RunApp("model.onnx", "image.png", "--top", "x");
        Assert.Equal((2, $"onnx-classify: error: Cannot parse argument 'x' for option '--top' as expected type 'System.Int32'. ({Usage})"), (code, stderr.Trim()));
    }

    [Fact]
    public void A_bad_image_is_one_line_and_the_others_are_still_classified()
    {
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        string good = Picture(folder, "good.png", SKEncodedImageFormat.Png);
        string bad = folder.File("bad.png");
        File.WriteAllText(bad, "not a picture");
        string empty = Directory.CreateDirectory(folder.File("empty")).FullName;
        var (code, stdout, stderr) = App(path, bad, good, empty, folder.File("missing.png"), "--top", "1");
        Assert.Equal(1, code);
        Assert.Equal($"{good}:", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.Equal(
        [
            $"onnx-classify: {empty}: a folder with no images (.png, .jpg, .jpeg, .webp, .pgm, .ppm)",
            $"onnx-classify: {folder.File("missing.png")}: no such file or folder",
            $"onnx-classify: {bad}: not an image this tool reads (PNG, JPEG, WebP, GIF, BMP, PGM, PPM)",
        ], stderr.Split('\n'));
    }

    [Fact]
    public void A_fifo_is_refused_before_it_is_opened()
    {
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        string fifo = folder.File("pipe.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        Assert.Equal((1, "", $"onnx-classify: {fifo}: a named pipe (FIFO), not an image file"), App(path, fifo)); // would block if opened
    }

    [Fact]
    public void A_missing_or_unloadable_model_is_one_line_and_exit_code_1()
    {
        using var folder = new TempFolder();
        string image = Picture(folder, "picture.png", SKEncodedImageFormat.Png);
        Assert.Equal((1, "", $"onnx-classify: {folder.File("none.onnx")}: no such file"), App(folder.File("none.onnx"), image));
        Assert.Equal((1, "", $"onnx-classify: {folder.Path}: a folder, not an ONNX model file"), App(folder.Path, image));
        File.WriteAllText(folder.File("text.onnx"), "not a model");
        var (code, _, stderr) = App(folder.File("text.onnx"), image);
        Assert.Equal(1, code);
        Assert.StartsWith($"onnx-classify: {folder.File("text.onnx")}: ONNX Runtime cannot load it: ", stderr);
        Assert.DoesNotContain('\n', stderr);
    }

    [Theory]
    [InlineData("shapedvit.labels", "[\"a\",\"b\"]", "metadata shapedvit.labels has 2 labels for the model's 10 classes")]
    [InlineData("shapedvit.labels", "[\"a\",null]", "metadata shapedvit.labels is not a JSON array of strings")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,224,224],\"mean\":[0,0,0],\"std\":[1,1,1]}", "metadata shapedvit.preprocessing: input_size [3,224,224] is not the model input's [3,32,32]")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,32,32],\"mean\":[0,0,0],\"std\":[1,0,1]}", "metadata shapedvit.preprocessing: std values must be at least 1e-6")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,32,32],\"mean\":[0,1e39,0],\"std\":[1,1,1]}", "metadata shapedvit.preprocessing: mean values must be within [-1000, 1000]")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,32,32],\"crop_pct\":2,\"mean\":[0,0,0],\"std\":[1,1,1]}", "metadata shapedvit.preprocessing: crop_pct 2 is not a number in (0, 1]")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,32,32],\"interpolation\":\"lanczos\",\"mean\":[0,0,0],\"std\":[1,1,1]}", "metadata shapedvit.preprocessing: interpolation 'lanczos' is not bicubic or bilinear")]
    [InlineData("shapedvit.preprocessing", "[1,2]", "metadata shapedvit.preprocessing: not a JSON object")]
    public void Metadata_is_checked_when_the_model_is_opened(string key, string value, string message)
    {
        using var folder = new TempFolder();
        var (_, path) = Export(folder);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.MetadataProps.Single(p => p.Key == key).Value = value;
        File.WriteAllBytes(path, model.ToByteArray());
        string image = Picture(folder, "picture.png", SKEncodedImageFormat.Png);
        Assert.Equal((1, "", $"onnx-classify: {path}: {message}"), App(path, image));
    }

    [Fact]
    public void Labels_are_printed_without_control_characters()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var vit = new TorchvisionMicro();
        vit.LoadSafetensors(TestSupport.Fixture("vit_micro.safetensors"));
        vit.eval();
        string path = folder.File("micro.onnx");
        string[] labels = [.. Enumerable.Range(0, 10).Select(i => $"class\u001b[31m{i}\nnext")];
        vit.ExportOnnx(path, new OnnxExportOptions { CheckpointMetadata = CheckpointMetadata.For(vit, labels, Config()) });
        var (code, stdout, _) = App(path, Picture(folder, "picture.png", SKEncodedImageFormat.Png), "--top", "10");
        Assert.Equal(0, code);
        Assert.Equal(10, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.Contains("class\\u001b[31m", stdout);
    }
}
