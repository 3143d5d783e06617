using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using ShapedVit.Training;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>samples/FineTune on the shipped image-folder slice (classes 5-9 of Fashion-MNIST, 6 images each).</summary>
[Collection(TrainingCollection.Name)]
public class FineTuneCommandTests
{
    private static string Slice => Path.Combine(RepositoryRoot.Path, "samples", "data", "fashion-5-9-folder");

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FineTuneCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A "pre-trained" FashionVit (seeded random weights) saved as the FashionMnist sample saves it.</summary>
    private static string Pretrained(TempDirectory dir)
    {
        string path = dir.File("pretrained.safetensors");
        using var model = FashionModel.Create(3);
        model.SaveSafetensors(path, FashionModel.Metadata);
        return path;
    }

    [Fact]
    public void Fine_tunes_a_new_head_on_the_folder_and_classify_reads_the_result_with_no_other_flag()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "run");
        var (code, output, error) = Run(Slice, "--checkpoint", pretrained, "--out", outDir, "--epochs", "1", "--batch-size", "8", "--plain", "--threads", "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("data: 30 images of 5 classes", output);
        string head = output.Split('\n').Single(l => l.StartsWith("  new head: ", StringComparison.Ordinal));
        Assert.Equal("  new head: head.weight [5,64], head.bias [5]; left out: head.bias [10], head.weight [10,64]", head.TrimEnd('\r'));
        Assert.Contains("confusion matrix", output);
        Assert.Contains("Ankle boot", output);
        // What ran, said as it is: the recipe the grey 28 px images get, validation (not test) per epoch and at the end.
        Assert.Contains("recipe small (grey images, 28 px, 8 looked at): RandomResizedCrop scale 1-1, shift off, flip off, TrivialAugment off\n", output.Replace("\r\n", "\n"));
        Assert.DoesNotContain("RandomHorizontalFlip", output);
        Assert.Contains("| validation loss ", output);
        Assert.Contains("validation confusion matrix (rows: true class, columns: predicted):", output);
        Assert.Contains("validation accuracy ", output);
        Assert.True(File.Exists(Path.Combine(outDir, FineTuneApp.ConfusionPlotFile)));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, FineTuneApp.ConfusionCsvFile)).Length);

        var metadata = CheckpointMetadata.Read(Path.Combine(outDir, FineTuneApp.ModelFile));
        Assert.Equal(new[] { "Ankle boot", "Bag", "Sandal", "Shirt", "Sneaker" }, metadata.Labels);
        Assert.Equal(nameof(FashionVitFineTune), metadata.ModelName);
        Assert.Equal(FashionModel.Preprocessing, metadata.Preprocessing);
        Assert.True(File.Exists(Path.Combine(outDir, FineTuneApp.PlotFile)));

        string image = Directory.GetFiles(Path.Combine(Slice, "Bag"))[0];
        var classifyOutput = new StringWriter();
        var classifyError = new StringWriter();
        int classified = ClassifyCommand.Run([image, "--checkpoint", Path.Combine(outDir, FineTuneApp.ModelFile), "--top", "5"], classifyOutput, classifyError);
        Assert.True(classified == 0, classifyError.ToString());
        var lines = classifyOutput.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(6, lines.Length);
        Assert.All(new[] { "Ankle boot", "Bag", "Sandal", "Shirt", "Sneaker" }, name => Assert.Contains(lines[1..], l => l.EndsWith("  " + name, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_linear_probe_leaves_the_backbone_as_loaded()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "probe");
        var (code, _, error) = Run(Slice, "--checkpoint", pretrained, "--out", outDir, "--epochs", "1", "--batch-size", "8", "--linear-probe", "--plain", "--threads", "1");
        Assert.True(code == 0, error);
        using var before = Safetensors.ReadAll(pretrained);
        using var after = Safetensors.ReadAll(Path.Combine(outDir, FineTuneApp.ModelFile));
        foreach (var (key, tensor) in after.Tensors)
        {
            if (key.StartsWith("head.", StringComparison.Ordinal)) continue;
            Assert.True(tensor.allclose(before.Tensors[key], 0, 0), $"{key} changed in a linear probe");
        }
        Assert.False(after.Tensors["head.weight"].shape.SequenceEqual(before.Tensors["head.weight"].shape));
    }

    [Fact]
    public void With_bfloat16_it_trains_in_bfloat16_and_saves_float32_weights()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "bf16");
        var (code, output, error) = Run(Slice, "--checkpoint", pretrained, "--out", outDir, "--epochs", "1", "--batch-size", "8", "--bfloat16", "--plain", "--threads", "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("training (fine-tune, bfloat16): 1 epochs", output);
        Assert.Equal(TrainingPrecision.BFloat16, TrainingCheckpoint.ReadState(Path.Combine(outDir, FineTuneApp.StateFile)).Options.Precision);
        using var saved = Safetensors.ReadAll(Path.Combine(outDir, FineTuneApp.ModelFile));
        Assert.All(saved.Tensors.Values, t => Assert.Equal(TorchSharp.torch.ScalarType.Float32, t.dtype));
        using var before = Safetensors.ReadAll(pretrained);
        Assert.False(saved.Tensors["blocks.0.attn.qkv.weight"].allclose(before.Tensors["blocks.0.attn.qkv.weight"], 0, 0), "the backbone did not train");
    }

    [Fact]
    public void Resume_with_more_epochs_continues_training()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "run");
        string[] common = [Slice, "--checkpoint", pretrained, "--out", outDir, "--batch-size", "8", "--plain", "--threads", "1"];
        Assert.Equal(0, Run([.. common, "--epochs", "1"]).Code);
        var (code, output, error) = Run([.. common, "--epochs", "2", "--resume"]);
        Assert.True(code == 0, error);
        Assert.Contains("resumed after epoch 1, training to epoch 2.", output);
        Assert.Contains("epoch 2:", output);
        Assert.Equal(2, TrainingCheckpoint.ReadState(Path.Combine(outDir, FineTuneApp.StateFile)).CompletedEpochs);

        // Without --epochs the default (20) must not extend the saved 2-epoch run.
        var again = Run([.. common, "--resume"]);
        Assert.True(again.Code == 0, again.Error);
        Assert.Contains("resumed after epoch 2, training to epoch 2.", again.Output);
        Assert.Equal(2, TrainingCheckpoint.ReadState(Path.Combine(outDir, FineTuneApp.StateFile)).CompletedEpochs);
    }

    /// <summary>The shipped 5-class slice as 10 classes: each class folder twice, under its name and its name + " 2".</summary>
    private static string TenClassFolder(TempDirectory dir)
    {
        string root = dir.File("ten-classes");
        foreach (var classFolder in Directory.GetDirectories(Slice))
            foreach (var name in new[] { Path.GetFileName(classFolder), Path.GetFileName(classFolder) + " 2" })
            {
                Directory.CreateDirectory(Path.Combine(root, name));
                foreach (var file in Directory.GetFiles(classFolder)) File.Copy(file, Path.Combine(root, name, Path.GetFileName(file)));
            }
        return root;
    }

    [Fact]
    public void Fine_tuning_on_as_many_classes_as_the_checkpoint_has_still_replaces_the_head_and_says_so()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "ten");
        var (code, output, error) = Run(TenClassFolder(dir), "--checkpoint", pretrained, "--out", outDir, "--epochs", "1", "--batch-size", "8", "--plain", "--threads", "1");
        Assert.True(code == 0, error + output);
        Assert.Contains("data: 60 images of 10 classes", output);
        string head = output.Split('\n').Single(l => l.StartsWith("  new head: ", StringComparison.Ordinal));
        Assert.Equal("  new head: head.weight [10,64], head.bias [10]; left out: head.bias [10], head.weight [10,64]", head.TrimEnd('\r'));
    }

    [Fact]
    public void Resuming_a_float32_run_with_bfloat16_is_refused_naming_the_precision_switch()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "run");
        string[] common = [Slice, "--checkpoint", pretrained, "--out", outDir, "--batch-size", "8", "--plain", "--threads", "1"];
        Assert.Equal(0, Run([.. common, "--epochs", "1"]).Code);
        byte[] state = File.ReadAllBytes(Path.Combine(outDir, FineTuneApp.StateFile));
        var (code, _, error) = Run([.. common, "--epochs", "2", "--resume", "--bfloat16"]);
        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(outDir, FineTuneApp.StateFile)}: [TrainingStateMismatch] the run was trained in float32 and this trainer trains in bfloat16: " +
                     "a run cannot switch precision (TrainerOptions.Precision) when it is resumed; resume in float32, or start a new run.\n",
                     error.Replace("\r", ""));
        Assert.Equal(state, File.ReadAllBytes(Path.Combine(outDir, FineTuneApp.StateFile)));
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--layer-decay", "1.5")]
    [InlineData("--bogus")]
    public void Bad_arguments_are_one_line_and_exit_2(params string[] extra)
    {
        var (code, _, error) = Run([Slice, "--checkpoint", "x.safetensors", .. extra]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_negative_crop_padding_is_refused_with_the_flag_and_the_value()
    {
        var (code, _, error) = Run(Slice, "--checkpoint", "x.safetensors", "--crop-padding", "-1");
        Assert.Equal(2, code);
        Assert.Equal($"error: --crop-padding must not be negative (got -1). ({FineTuneCommand.Usage})\n", error.Replace("\r", ""));
    }

    [Fact]
    public void A_crop_padding_beyond_half_the_input_side_is_refused_before_training()
    {
        using var dir = new TempDirectory();
        string pretrained = Pretrained(dir), outDir = Path.Combine(dir.Path, "run");
        var (code, _, error) = Run(Slice, "--checkpoint", pretrained, "--out", outDir, "--crop-padding", "15", "--plain", "--threads", "1");
        Assert.Equal(1, code);
        Assert.Equal("error: --crop-padding 15 is outside 0-14: at most half the model's 28 px input side.\n", error.Replace("\r", ""));
        Assert.False(File.Exists(Path.Combine(outDir, FineTuneApp.ModelFile)));
    }

    [Fact]
    public void Fine_tuning_without_a_checkpoint_is_refused()
    {
        var (code, _, error) = Run(Slice);
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint", error);
    }
}
