using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Samples.OnnxRuntimeApp;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>samples/OnnxRuntimeApp (ONNX Runtime only) classifies with an export as the ShapedVit model does.</summary>
public class SampleAppTests(ITestOutputHelper output)
{
    private static readonly string[] Labels = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    private static (IVisionTransformer Vit, string ModelPath, Netpbm Image) Export(TempFolder folder)
    {
        var vit = new TorchvisionMicro(); // with torchvision's weights (Fixtures/torchvision/vit_micro)
        vit.LoadSafetensors(TestSupport.Fixture("vit_micro.safetensors"));
        vit.eval();
        string path = folder.File("micro.onnx");
        vit.ExportOnnx(path, new OnnxExportOptions
        {
            CheckpointMetadata = CheckpointMetadata.For(vit, Labels, new PreprocessConfig(32, 1.0, Mean, Std)),
        });
        var random = new Random(3);
        var pixels = new byte[3 * 32 * 32];
        random.NextBytes(pixels);
        var image = new Netpbm(3, 32, 32, pixels);
        image.Write(folder.File("image.ppm"));
        return (vit, path, image);
    }

    /// <summary>The model's softmax on the same pixels, normalised as the app does.</summary>
    private static float[] ModelProbabilities(IVisionTransformer vit, Netpbm image)
    {
        using var scope = NewDisposeScope();
        var pixels = torch.tensor(image.Pixels.Select(b => b / 255f).ToArray(), [1, 3, 32, 32]);
        var normalised = pixels.sub(torch.tensor(Mean).reshape(1, 3, 1, 1)).div(torch.tensor(Std).reshape(1, 3, 1, 1));
        using var noGrad = torch.no_grad();
        return TestSupport.Values(((nn.Module<Tensor, Tensor>)vit).forward(normalised).softmax(-1));
    }

    [Fact]
    public void The_classifier_gives_the_models_probabilities_and_labels()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var (vit, path, _) = Export(folder);
        var image = Netpbm.Read(folder.File("image.ppm")); // the file round trip is part of the sample
        float[] expected = ModelProbabilities(vit, image);

        using var options = Ort.Options(out string logId);
        using var classifier = new OnnxClassifier(path, options);
        Ort.AssertNoWarnings(logId);
        Assert.Equal((3, 32, 32), (classifier.Channels, classifier.Height, classifier.Width));
        var top = classifier.Classify(image, top: 10);
        foreach (var (label, probability) in top)
        {
            output.WriteLine($"{label}: ORT {probability:F6}, model {expected[Array.IndexOf(Labels, label)]:F6}");
            Assert.Equal(expected[Array.IndexOf(Labels, label)], probability, 1e-5);
        }
        Assert.Equal(Labels[Array.IndexOf(expected, expected.Max())], top[0].Label);
    }

    [Fact]
    public void The_console_app_prints_the_top_classes()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var (vit, path, image) = Export(folder);
        float[] expected = ModelProbabilities(vit, image);
        string best = Labels[Array.IndexOf(expected, expected.Max())];

        var (exitCode, stdout, stderr) = RunApp(path, folder.File("image.ppm"), "--top", "3");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("  " + best, lines[0]);

        // A wrong-sized image for a model without preprocessing metadata (nothing says how to resize it): exit code 1
        // and one line on stderr. With the metadata it is resized (OnnxRuntimeAppTests).
        string bare = folder.File("bare.onnx");
        vit.ExportOnnx(bare);
        new Netpbm(1, 28, 28, new byte[28 * 28]).Write(folder.File("small.pgm"));
        (exitCode, stdout, stderr) = RunApp(bare, folder.File("small.pgm"));
        Assert.Equal(1, exitCode);
        Assert.Equal($"onnx-classify: {folder.File("small.pgm")}: the model expects 32x32 images with 3 channel(s), the image is 28x28 with 1 (the model has no shapedvit.preprocessing to resize it with)", stderr.Trim());
    }

    [Fact]
    public void The_app_depends_on_onnx_runtime_only()
    {
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "onnx-classify.deps.json"));
        Assert.Contains("Microsoft.ML.OnnxRuntime", deps);
        Assert.DoesNotContain("TorchSharp", deps);
        Assert.DoesNotContain("ShapedVit", deps.Replace("ShapedVit.Samples", ""));
    }

    internal static (int ExitCode, string Stdout, string Stderr) RunApp(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "onnx-classify.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
