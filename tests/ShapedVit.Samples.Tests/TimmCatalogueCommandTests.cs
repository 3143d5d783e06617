using System.Text.Json;
using ShapedVit.Checkpoints;
using ShapedVit.Models;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using SkiaSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// The CLIs with an architecture only ShapedVit.Models' timm catalogue builds (<c>deit_tiny_patch16_224</c>, 5.7M
/// parameters, the smallest of the catalogue) against the loopback Hub: classify by a bare name (timm's default tag), and
/// finetune from it, whose checkpoint classify then finds through the catalogue. Nothing here touches the internet.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class TimmCatalogueCommandTests : LoopbackHubTest
{
    private const string Architecture = "deit_tiny_patch16_224";
    private const string Repo = "timm/deit_tiny_patch16_224.fb_in1k";
    private static readonly Lazy<byte[]> TimmWeights = new(() =>
    {
        using var folder = new TempDirectory();
        string path = folder.File("deit.safetensors");
        using var model = Timm.Create(Architecture, seed: 5);
        Safetensors.Write(path, model.state_dict());
        return File.ReadAllBytes(path);
    });

    private static string Slice => Path.Combine(RepositoryRoot.Path, "samples", "data", "fashion-5-9-folder");

    private string? Environment(string variable) => variable switch
    {
        "HF_ENDPOINT" => Hub.Endpoint.AbsoluteUri,
        "HF_HUB_CACHE" => Path.Combine(Folder.Path, "hub"),
        _ => null,
    };

    private void AddRepo()
    {
        // timm's own config.json names no labels and no preprocessing here: the catalogue's pretrained_cfg and the shipped
        // ImageNet-1k labels stand in.
        Hub.Add(Repo, "config.json", System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { architecture = Architecture, num_classes = 1000 })), lfs: false);
        Hub.Add(Repo, "model.safetensors", TimmWeights.Value);
    }

    private string Image()
    {
        string path = Folder.File("photo.png");
        if (!File.Exists(path)) File.WriteAllBytes(path, TestImages.Png(40, 30, (x, y) => new SKColor((byte)(x * 6), (byte)(y * 8), (byte)(x ^ y))));
        return path;
    }

    private (int Code, string Output, string Error) Classify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error, options => new ClassifyApp(options, output, error, environment: Environment).Run());
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void The_default_catalogue_answers_from_the_samples_then_from_timm()
    {
        var catalogue = PretrainedCatalogues.Default;
        Assert.Equal("VitTinyPatch16", catalogue.ModelName("vit_tiny_patch16_224"));   // the samples' fine-tuning backbone
        Assert.Equal(Architecture, catalogue.ModelName(Architecture));
        Assert.Equal(nameof(FashionVitFineTune), catalogue.ModelName(FashionModel.Name));
        Assert.Null(catalogue.ModelName("resnet50"));
        Assert.Equal("fb_in1k", catalogue.DefaultTag(Architecture));
        Assert.Equal("timm/vit_base_patch16_clip_224.openai", catalogue.HubId("vit_base_patch16_clip_quickgelu_224", "openai"));
        Assert.Equal(Timm.PretrainedConfig("deit_tiny_patch16_224.fb_in1k").Preprocessing, catalogue.Preprocessing(Architecture, "fb_in1k"));
        Assert.Equal(Timm.Architecture("vit_small_patch14_dinov2").DefaultConfig.Preprocessing, catalogue.Preprocessing("vit_small_patch14_dinov2", null));
        Assert.Contains("vit_small_patch14_dinov2", catalogue.Architectures);
        Assert.Contains(FashionModel.Name, catalogue.Architectures);
    }

    [Fact]
    public void Classify_with_a_catalogue_name_downloads_timms_default_tag_and_uses_its_pretrained_cfg()
    {
        AddRepo();

        var (code, output, error) = Classify(Image(), "--model", Architecture, "--top", "3");

        Assert.True(code == 0, error + output);
        Assert.Contains($"pretrained: {Architecture} is {Repo}@{Hub.Repos[Repo].Commit[..8]} ({Architecture}), downloaded to ", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Contains(line.Trim().Split("  ", 2)[1], ModelCatalog.ImageNetLabels));
    }

    [Fact]
    public void Finetune_from_a_catalogue_name_writes_a_checkpoint_classify_finds_through_the_catalogue()
    {
        AddRepo();
        string outDir = Path.Combine(Folder.Path, "run");
        var output = new StringWriter();
        var error = new StringWriter();

        int code = FineTuneCommand.Run([Slice, "--model", Architecture, "--out", outDir, "--epochs", "1", "--batch-size", "16", "--plain", "--threads", "2"],
                                       output, error, options => new FineTuneApp(options, output, error, environment: Environment).Run());

        Assert.True(code == 0, error.ToString() + output);
        Assert.Contains($"model: {Architecture} with 5 classes from {Repo} ({Architecture}, Timm naming)", output.ToString());
        string checkpoint = Path.Combine(outDir, FineTuneApp.ModelFile);
        var metadata = CheckpointMetadata.Read(checkpoint);
        Assert.Equal(Architecture, metadata.ModelName);
        Assert.Equal(Timm.PretrainedConfig("deit_tiny_patch16_224.fb_in1k").Preprocessing, metadata.Preprocessing);

        var (classifyCode, classified, classifyError) = Classify(Image(), "--checkpoint", checkpoint, "--top", "2");

        Assert.True(classifyCode == 0, classifyError);
        var lines = classified.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Contains(line.Trim().Split("  ", 2)[1], metadata.Labels!));
    }
}
