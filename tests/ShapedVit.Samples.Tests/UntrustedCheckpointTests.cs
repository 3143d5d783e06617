using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FashionMnist;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// Classify's work is bounded by what the checkpoint really holds, whatever its metadata claims, and the labels it prints
/// cannot drive the terminal.
/// </summary>
public class UntrustedCheckpointTests
{
    private static readonly string ClassifyDll = Path.Combine(AppContext.BaseDirectory, "classify.dll");

    /// <summary>Address space is what .NET reserves freely; private writable memory (RLIMIT_DATA) is what building a head commits.</summary>
    private const long MemoryCap = 1L << 30;

    private static (int Code, string Output, string Error) RunCapped(params string[] args)
    {
        var start = new ProcessStartInfo("prlimit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[$"--data={MemoryCap}", "dotnet", ClassifyDll, .. args]) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// The metadata of a fine-tuned ViT-B/16 claiming 900,000 classes (a 2.8 GB head to build) over a file whose head has 2 rows
    /// (or none): refused from the header, under a 1 GiB cap that building the claimed head would break.
    /// </summary>
    [Theory]
    [InlineData(true, "names 900000 classes, but the classifier weight 'head.weight' has shape [2,768]: one label per row is needed.")]
    [InlineData(false, "names 900000 classes, but the file has no classifier weight (head.weight, heads.head.weight, classifier.weight) to give them.")]
    public void A_label_count_the_file_does_not_hold_builds_nothing(bool withHead, string expected)
    {
        if (!File.Exists("/usr/bin/prlimit")) return; // the cap needs util-linux's prlimit
        Assert.True(File.Exists(ClassifyDll), $"{ClassifyDll} is built with the tests");
        using var dir = new TempDirectory();
        string checkpoint = dir.File("claims.safetensors"), image = dir.File("a.png");
        File.WriteAllBytes(image, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        using (var scope = torch.NewDisposeScope())
        {
            var tensors = new Dictionary<string, torch.Tensor> { ["norm.weight"] = torch.ones(768) };
            if (withHead) { tensors["head.weight"] = torch.zeros(2, 768); tensors["head.bias"] = torch.zeros(2); }
            var metadata = new CheckpointMetadata { ModelName = nameof(VitBasePatch16), Labels = Enumerable.Repeat("a", 900_000).ToArray() };
            Safetensors.Write(checkpoint, tensors, metadata.ToDictionary());
        }
        var (code, output, error) = RunCapped(image, "--checkpoint", checkpoint);
        Assert.Equal($"error: {checkpoint}: [MetadataMalformed] metadata 'shapedvit.labels': {expected}\n", error);
        Assert.Equal(1, code);
        Assert.Equal("", output);
    }

    [Fact]
    public void Labels_with_terminal_escapes_and_newlines_print_escaped()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), image = dir.File("a.png");
        File.WriteAllBytes(image, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        var labels = Enumerable.Range(0, 10).Select(i => $"\u001b]0;owned\u0007\u001b[2Jclass {i}\nfake line").ToArray();
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata with { Labels = labels });
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, ClassifyCommand.Run([image, "--checkpoint", checkpoint, "--top", "10"], output, error));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length); // the image's line and one per class: no label added a line
        Assert.DoesNotContain('\u001b', output.ToString());
        Assert.DoesNotContain('\u0007', output.ToString());
        Assert.Contains("\\e]0;owned\\x07\\e[2Jclass ", output.ToString());
        Assert.Contains("\\nfake line", output.ToString());
    }

    [Fact]
    public void A_checkpoint_label_count_that_differs_from_the_head_is_an_error_not_class_i()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), image = dir.File("a.png");
        File.WriteAllBytes(image, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata with { Labels = ["only", "three", "labels"] });
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(1, ClassifyCommand.Run([image, "--checkpoint", checkpoint], output, error));
        Assert.Equal($"error: {checkpoint}: [MetadataMalformed] metadata 'shapedvit.labels': names 3 classes, but the classifier weight 'head.weight' has shape [10,64]: one label per row is needed.\n",
                     error.ToString());
    }
}
