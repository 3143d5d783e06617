using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.Shared;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary><c>classify --checkpoint FILE.safetensors --export-onnx OUT.onnx</c> exports the checkpoint's model with its metadata.</summary>
public class ClassifyExportTests(ITestOutputHelper output)
{
    private static string MakeCheckpoint(TempFolder folder, out FashionVit model)
    {
        string path = folder.File("model.safetensors");
        model = FashionModel.Create(1);
        TestSupport.Perturb(model, seed: 2);
        model.SaveSafetensors(path, FashionModel.Metadata);
        return path;
    }

    private static (int Code, string Output, string Error) Classify(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = ClassifyCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Export_writes_the_checkpoints_model_with_its_labels_and_preprocessing()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        string checkpoint = MakeCheckpoint(folder, out var model);
        model.eval();
        string onnx = folder.File("fashion.onnx");

        var (code, stdout, stderr) = Classify("--checkpoint", checkpoint, "--export-onnx", onnx);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        Assert.Equal($"wrote {onnx}: images [batch,1,28,28] -> logits [batch,10]", stdout.Trim());

        using var session = Ort.Session(onnx);
        var metadata = CheckpointMetadata.Parse(session.ModelMetadata.CustomMetadataMap);
        Assert.Equal(FashionModel.Name, metadata.ModelName);
        Assert.Equal(FashionModel.Architecture, metadata.Architecture);
        Assert.Equal(FashionMnistDataset.ClassNames, metadata.Labels);
        Assert.Equal(FashionModel.Preprocessing, metadata.Preprocessing);
        foreach (long batch in new[] { 1L, 3L })
            Assert.InRange(Parity.MaxDifference(model, session, batch, seed: batch).Output, 0, ParityTests.Tolerance);
        model.Dispose();
    }

    [Fact]
    public void Export_failures_and_misuse_are_one_line()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        string checkpoint = MakeCheckpoint(folder, out var model);
        model.Dispose();

        Directory.CreateDirectory(folder.File("taken"));
        var (code, stdout, stderr) = Classify("--checkpoint", checkpoint, "--export-onnx", folder.File("taken"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: Cannot export FashionVit to ONNX: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));

        (code, _, stderr) = Classify("a.png", "--checkpoint", checkpoint, "--export-onnx", folder.File("x.onnx"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --export-onnx exports the model and exits: give no images with it. (usage: classify ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(folder.File("x.onnx")));

        (code, _, stderr) = Classify("--checkpoint", checkpoint);
        Assert.Equal(2, code);
        Assert.StartsWith("error: give at least one image", stderr);
    }
}
