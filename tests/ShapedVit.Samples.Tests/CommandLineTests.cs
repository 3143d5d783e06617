using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FashionMnist;
using ShapedVit.Samples.Shared;
using ShapedVit.Samples.Variants;
using ShapedVit.Testing;
using ShapedVit.Training;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>What every sample's command line does alike: exit 2 and one line with the usage for a mistake, 0 for --help,
/// devices checked, no colour codes into a pipe, throughput as images over seconds, a note when CUDA is missing.</summary>
public class CommandLineTests
{
    public delegate int Command(string[] args, TextWriter output, TextWriter error);

    public static TheoryData<string, string[]> Mistakes => new()
    {
        { "classify", ["a.png", "--bogus"] },
        { "classify", ["--bogus", "a.png"] },
        { "classify", ["a.png", "--device", "tpu"] },
        { "classify", ["a.png", "--device"] },
        { "fashion-mnist", ["--bogus"] },
        { "fashion-mnist", ["--device", "tpu"] },
        { "fashion-mnist", ["--classify", "--device", "cuda:x"] },
        { "variants", ["--bogus"] },
        { "variants", ["--device", "tpu"] },
        { "variants", ["--device"] },
    };

    private static (int Code, string Output, string Error, bool Ran) Invoke(string sample, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        bool ran = false;
        int code = sample switch
        {
            "classify" => ClassifyCommand.Run(args, output, error, _ => { ran = true; return 0; }),
            "fashion-mnist" => FashionMnistCommand.Run(args, output, error, _ => { ran = true; return 0; }),
            _ => VariantsApp.Run(args, output, error),
        };
        return (code, output.ToString(), error.ToString(), ran);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_exits_2_with_one_line_and_the_usage_before_any_work(string sample, string[] args)
    {
        var (code, output, error, ran) = Invoke(sample, args);
        Assert.Equal(2, code);
        Assert.False(ran);
        Assert.Equal("", output);
        string line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains("sage: ", line);
        if (args.Contains("--bogus")) Assert.Contains("'--bogus'", line);
        if (args.Contains("tpu")) Assert.Contains("'tpu'", line);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("fashion-mnist")]
    [InlineData("variants")]
    public void Help_exits_0_and_prints_the_usage(string sample)
    {
        var (code, output, error, ran) = Invoke(sample, ["--help"]);
        Assert.Equal((0, ""), (code, error));
        Assert.False(ran);
        Assert.Contains(sample == "variants" ? "--max-params" : "--device", output);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("CUDA")]
    [InlineData("cuda:1")]
    [InlineData("auto")]
    public void Device_names_are_accepted(string device)
    {
        Assert.Null(SampleCommandLine.DeviceProblem(device));
        Assert.True(Invoke("classify", ["a.png", "--device", device]).Ran);
        Assert.True(Invoke("fashion-mnist", ["--device", device]).Ran);
        Assert.Equal(device, VariantsOptions.Parse(["--device", device], TextWriter.Null, TextWriter.Null, out _)!.Device);
    }

    [Fact]
    public void Variants_writes_no_colour_codes_into_a_pipe()
    {
        var output = new StringWriter();
        Assert.Equal(0, VariantsApp.Run(["--no-forward"], output, TextWriter.Null));
        Assert.Contains("ViT-B/16", output.ToString());
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void Cuda_without_cuda_says_so_in_every_sample()
    {
        if (torch.cuda.is_available()) return; // the note is for machines without CUDA
        var error = new StringWriter();
        Assert.Equal(torch.CPU.type, SampleCommandLine.ResolveDevice("cuda", error, out _).type);
        Assert.StartsWith("note: cpu (CUDA was asked for", error.ToString());

        // Variants: forward passes on the asked device (none timed here: --max-params 0 skips them all).
        var variants = new StringWriter();
        Assert.Equal(0, VariantsApp.Run(["--device", "cuda", "--max-params", "0"], TextWriter.Null, variants));
        Assert.StartsWith("note: cpu (CUDA was asked for", variants.ToString());

        // Classify, on a real checkpoint and image.
        using var dir = new TempDirectory();
        string checkpoint = dir.File("model.safetensors"), image = dir.File("a.png");
        using (var model = FashionModel.Create(1)) model.SaveSafetensors(checkpoint, FashionModel.Metadata);
        File.WriteAllBytes(image, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), 0)));
        var classifyError = new StringWriter();
        Assert.Equal(0, ClassifyCommand.Run([image, "--checkpoint", checkpoint, "--device", "cuda"], TextWriter.Null, classifyError));
        Assert.StartsWith("note: cpu (CUDA was asked for", classifyError.ToString());
    }

    [Fact]
    public void Throughput_is_all_images_over_all_seconds()
    {
        // 1,000 images in 1 s, then 1,000 in 10 s: 2,000 / 11 s = 182 img/s (the mean of the rates would say 550).
        EpochRecord[] history = [new(1, 1, 0.5, 1, 0.5, 1e-3, 1, 1000), new(2, 1, 0.5, 1, 0.5, 1e-3, 10, 100)];
        Assert.Equal("training 0.2 min over 2 epochs (2000 images in 11 s: 182 img/s)", ShapedVit.Samples.Shared.TrainingConsole.Throughput(history));
    }
}
