using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using ShapedVit.Training;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// Evaluation and its reports scale with what was evaluated, not with the class count squared: ImageNet-21k's 21,843
/// classes in process, and FineTune on a folder of 5,000 classes in a child process under a memory cap that a
/// 5,000 x 5,000 table of counts (200 MB) would break.
/// </summary>
[Collection(TrainingCollection.Name)]
public class LargeClassCountTests
{
    private static readonly string FineTuneDll = Path.Combine(AppContext.BaseDirectory, "finetune.dll");

    /// <summary>
    /// Private writable memory (RLIMIT_DATA) for FineTune on 5,000 classes: the run peaks at about 590 MiB (VmData) with
    /// the sparse matrix; a dense 5,000 x 5,000 table of longs adds 191 MiB.
    /// </summary>
    private const long FineTuneCap = 700L << 20;

    [Fact]
    public void ImageNet_21k_classes_evaluate_and_report_in_memory_that_grows_with_the_images()
    {
        const int classes = 21_843, side = 4;
        var names = Enumerable.Range(0, classes).Select(i => $"n{i:D8}").ToArray();
        var labels = Enumerable.Range(0, classes).ToArray(); // one image per class
        var pixels = new byte[classes * side * side];
        new Random(5).NextBytes(pixels);
        var data = new LabeledImages(pixels, labels, 1, side, side, names);
        torch.manual_seed(21);
        using var model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(side * side, classes));
        using var dir = new TempDirectory();
        string csv = dir.File("confusion.csv");
        var output = new StringWriter();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var evaluation = Trainer.Evaluate(model, data, 512, torch.CPU);
        ConfusionReport.Print(evaluation, "test", output, plain: true, files: csv);
        ConfusionReport.WriteCsv(evaluation, csv);
        byte[] png = ConfusionReport.RenderPng(evaluation, "21k", size: 300);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(classes, evaluation.Count);
        Assert.InRange(evaluation.Confusion.NonZeroCells, 1, classes); // at most one cell per image
        Assert.Equal(evaluation.Confusion.NonZeroCells + 1, File.ReadAllLines(csv).Length);
        Assert.Equal(2 * ConfusionReport.SummaryRows + 4, output.ToString().TrimEnd('\n').Split('\n').Length);
        Assert.StartsWith($"test confusion matrix: 21843 classes, too many for a table; 21843 classes among the 21843 images", output.ToString());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        // A dense [21843, 21843] table of longs alone is 3.8 GB; the evaluation and the three reports together stay far below 1 %.
        Assert.True(allocated < 32L << 20, $"evaluating and reporting 21,843 classes allocated {allocated / (1 << 20)} MiB");
    }

    /// <summary>Runs <c>dotnet DLL ARGS</c> under <c>prlimit --data=CAP</c>.</summary>
    private static (int Code, string Output, string Error) RunCapped(long cap, string dll, params string[] args)
    {
        var start = new ProcessStartInfo("prlimit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[$"--data={cap}", "dotnet", dll, .. args]) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void FineTune_on_5000_classes_reports_under_a_memory_cap_a_dense_matrix_would_break()
    {
        if (!File.Exists("/usr/bin/prlimit")) return; // the cap needs util-linux's prlimit
        Assert.True(File.Exists(FineTuneDll), $"{FineTuneDll} is built with the tests");
        using var dir = new TempDirectory();
        string data = Path.Combine(dir.Path, "data"), outDir = Path.Combine(dir.Path, "run"), pretrained = dir.File("pretrained.safetensors");
        const int classes = 5000;
        for (int c = 0; c < classes; c++)
        {
            string folder = Path.Combine(data, $"class{c:D4}");
            Directory.CreateDirectory(folder);
            for (int i = 0; i < 2; i++)
                File.WriteAllBytes(Path.Combine(folder, $"{i}.png"), TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9 + c), (byte)(y * 9 + i), (byte)(c >> 4))));
        }
        using (var model = FashionModel.Create(3)) model.SaveSafetensors(pretrained, FashionModel.Metadata);

        var (code, output, error) = RunCapped(FineTuneCap, FineTuneDll, data, "--checkpoint", pretrained, "--out", outDir,
                                              "--epochs", "1", "--batch-size", "256", "--val-fraction", "0.5", "--plain", "--threads", "1");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("data: 10000 images of 5000 classes in ", output);
        Assert.Contains(" (5000 training, 5000 validation)", output);
        Assert.Contains("validation confusion matrix: 5000 classes, too many for a table; 5000 classes among the 5000 images\n", output);
        Assert.Contains($"confusion.csv (every non-zero count, one line per (true, predicted) pair), ", output);
        var csv = File.ReadAllLines(Path.Combine(outDir, FineTuneApp.ConfusionCsvFile));
        Assert.Equal("true class,predicted class,images", csv[0]);
        Assert.InRange(csv.Length, 2, 1 + 5000); // a line per non-zero cell: at most one per validation image
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(outDir, FineTuneApp.ConfusionPlotFile))[..4]);
    }
}
