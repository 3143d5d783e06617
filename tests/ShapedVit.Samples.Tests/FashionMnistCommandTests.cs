using ShapedVit.Checkpoints;
using ShapedVit.Samples.FashionMnist;
using ShapedVit.Testing;
using ShapedVit.Training;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

[Collection(TrainingCollection.Name)]
public class FashionMnistCommandTests
{
    private static (int Code, string Output, string Error, FashionMnistOptions? Options) Parse(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        FashionMnistOptions? captured = null;
        int code = FashionMnistCommand.Run(args, output, error, o => { captured = o; return 0; });
        return (code, output.ToString(), error.ToString(), captured);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FashionMnistCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Classes_restricts_training_and_testing_to_those_classes()
    {
        Assert.Equal(new[] { 5, 6 }, Parse("--classes", "5", "6").Options!.Classes);
        var (badCode, _, badError, _) = Parse("--classes", "12");
        Assert.Equal(2, badCode);
        Assert.Contains("--classes must be class indices 0-9 (got 12)", badError);

        var (_, test) = ShapedVit.Samples.Shared.FashionMnistFiles.Load(FashionMnistApp.ShippedSlice);
        int testImages = test.Labels.Count(l => l is 5 or 6);
        using var dir = new TempDirectory();
        var (code, output, error) = Run("--out", dir.Path, "--plain", "--epochs", "1", "--classes", "5", "6", "--limit", "64");
        Assert.True(code == 0, error);
        Assert.Contains($"data: 64 training and {testImages} test images", output);
    }

    [Fact]
    public void No_arguments_trains_the_shipped_slice_with_the_documented_defaults()
    {
        var (code, _, error, options) = Parse();
        Assert.Equal((0, ""), (code, error));
        Assert.NotNull(options);
        Assert.Null(options.DataDirectory);
        Assert.Equal(Path.Combine("runs", "fashion-mnist"), options.OutputDirectory);
        Assert.Equal((20, 64, 2e-3, 0.2, 42L, 0), (options.Epochs, options.BatchSize, options.LearningRate, options.WarmupEpochs, options.Seed, options.Classify));
        Assert.True(options.HorizontalFlip);
        Assert.Equal(0, options.CropPadding);
        Assert.Equal(new FashionMnistOptions() with { DataDirectory = null }, options); // the command's defaults are the record's
    }

    [Fact]
    public void Options_are_read()
    {
        var (_, _, _, options) = Parse("--data", "/d", "--out", "/o", "--epochs", "3", "--lr", "0.01", "--no-flip", "--crop-padding", "3", "--resume", "--seed", "5");
        Assert.Equal(("/d", "/o", 3, 0.01, false, 3, true, 5L),
                     (options!.DataDirectory, options.OutputDirectory, options.Epochs, options.LearningRate, options.HorizontalFlip, options.CropPadding, options.Resume, options.Seed));
        Assert.Equal(8, Parse("--classify").Options!.Classify);
        Assert.Equal(3, Parse("--classify", "3").Options!.Classify);
        Assert.Equal(2, Parse("--full-token-epochs", "2").Options!.FullTokenEpochs);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "many")]
    [InlineData("--bogus")]
    [InlineData("--lr", "-1")]
    [InlineData("--label-smoothing", "1")]
    [InlineData("--resume", "--classify", "2")]
    [InlineData("--epochs", "3", "--full-token-epochs", "4")]
    public void Argument_errors_are_one_line_and_exit_code_2(params string[] args)
    {
        var (code, output, error, options) = Parse(args);
        Assert.Equal(2, code);
        Assert.Null(options);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Resuming_an_empty_folder_says_there_is_nothing_to_resume()
    {
        using var dir = new TempDirectory();
        var (code, _, error) = Run("--resume", "--out", dir.Path, "--plain");
        Assert.Equal(1, code);
        Assert.StartsWith("error: nothing to resume", error);
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_not_overwritten_without_force()
    {
        using var dir = new TempDirectory();
        string model = Path.Combine(dir.Path, FashionMnistApp.ModelFile);
        using (var t = torch.zeros(1))
            Safetensors.Write(model, [KeyValuePair.Create("w", t)], new Dictionary<string, string> { [CheckpointMetadataKeys.Architecture] = "SomethingElse(embed 768)" });
        byte[] before = File.ReadAllBytes(model);
        var (code, _, error) = Run("--out", dir.Path, "--plain", "--epochs", "1", "--limit", "32");
        Assert.Equal(1, code);
        Assert.Contains("holds a different architecture (SomethingElse(embed 768)); refusing to overwrite it (use --force", error);
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void Train_then_classify_then_resume_a_finished_run_end_to_end()
    {
        using var dir = new TempDirectory();
        var train = Run("--out", dir.Path, "--plain", "--epochs", "1", "--limit", "128", "--batch-size", "64");
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("confusion matrix", train.Output);
        Assert.Contains("9 Ankle boot", train.Output);
        Assert.Contains("test accuracy", train.Output);
        Assert.True(File.Exists(Path.Combine(dir.Path, FashionMnistApp.ModelFile)));
        Assert.True(File.Exists(Path.Combine(dir.Path, FashionMnistApp.StateFile)));
        byte[] plot = File.ReadAllBytes(Path.Combine(dir.Path, FashionMnistApp.PlotFile));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, plot[..4]);
        // #28: the confusion matrix is also a CSV (every count: 10 rows of 10 classes and a header) and a picture.
        var csv = File.ReadAllLines(Path.Combine(dir.Path, FashionMnistApp.ConfusionCsvFile));
        Assert.Equal(11, csv.Length);
        Assert.Contains("Ankle boot", csv[0]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(dir.Path, FashionMnistApp.ConfusionPlotFile))[..4]);
        Assert.Contains($"{FashionMnistApp.ConfusionCsvFile} (every count)", train.Output);

        var classify = Run("--out", dir.Path, "--classify", "3");
        Assert.True(classify.Code == 0, classify.Error);
        Assert.Contains("Ankle boot", classify.Output); // test image 0's true label
        Assert.Contains("/3 correct", classify.Output);

        var resume = Run("--out", dir.Path, "--resume", "--plain", "--limit", "128");
        Assert.True(resume.Code == 0, resume.Error);
        Assert.Contains("resumed after epoch 1 of 1", resume.Output);
        Assert.DoesNotContain("epoch 1/1 batch", resume.Output); // nothing left to train

        var extended = Run("--out", dir.Path, "--resume", "--epochs", "2", "--plain", "--limit", "128");
        Assert.True(extended.Code == 0, extended.Error);
        Assert.Contains("resumed after epoch 1 of 1 (step 2), with the saved options; training on to epoch 2.", extended.Output);
        Assert.Contains("epoch 2:", extended.Output);
        Assert.DoesNotContain("epoch 1:", extended.Output); // the finished epoch is not replayed
        Assert.Equal(2, TrainingCheckpoint.ReadState(Path.Combine(dir.Path, FashionMnistApp.StateFile)).CompletedEpochs);
    }

    [Fact]
    public void The_epochs_option_is_known_to_be_given_or_defaulted()
    {
        Assert.False(Parse("--resume").Options!.EpochsGiven);
        Assert.True(Parse("--resume", "--epochs", "20").Options!.EpochsGiven);
    }
}
