using ShapedVit.Data;
using ShapedVit.Checkpoints;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using ShapedVit.Vision;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>torchvision VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=256, num_classes=10): the fixture's model.</summary>
[VisionTransformer(NumClasses = 10)]
[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(256)]
public partial class FixtureMicroVit { }

/// <summary>Classify picks the model for a checkpoint from its metadata, its architecture or --model.</summary>
public class CatalogueTests
{
    private static string Fixture(string name) => Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "torchvision", name);

    private static readonly PreprocessConfig MicroPreprocessing = PreprocessConfig.ImageNet(32);

    private static readonly ModelCatalog WithFixtureModel = ModelCatalog.BuiltIn.With(
        KnownModel.Of<FixtureMicroVit>("torchvision_micro", "the torchvision test fixture", MicroPreprocessing, null));

    private static (int Code, string Output, string Error) Run(ModelCatalog catalogue, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error, options => new ClassifyApp(options, output, error, catalogue).Run());
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_torchvision_checkpoint_classifies_with_model_and_gives_the_models_own_top_class()
    {
        using var dir = new TempDirectory();
        string image = dir.File("photo.png");
        File.WriteAllBytes(image, TestImages.Png(45, 37, (x, y) => new SKColor((byte)(x * 5), (byte)(y * 6), (byte)(x ^ y))));

        var (code, output, error) = Run(WithFixtureModel, image, "--checkpoint", Fixture("vit_micro.safetensors"), "--model", "torchvision_micro", "--top", "3");
        Assert.True(code == 0, error);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal($"{image}:", lines[0]);
        Assert.Equal(4, lines.Length);

        // The same weights (torchvision naming, renamed on load) and preprocessing, run directly: the same top class.
        using var model = new FixtureMicroVit(0);
        Assert.Equal(CheckpointNaming.Torchvision, model.LoadSafetensors(Fixture("vit_micro.safetensors")).Naming);
        model.eval();
        using var noGrad = torch.no_grad();
        using var input = Preprocessing.ToTensor(ImageDecoder.Decode(image), MicroPreprocessing);
        using var logits = model.forward(input);
        long top = logits.argmax(1).item<long>();
        Assert.EndsWith($"  class {top}", lines[1]);
    }

    [Fact]
    public void A_checkpoint_without_metadata_and_without_model_asks_for_model_in_one_line()
    {
        var (code, _, error) = Run(WithFixtureModel, "a.png", "--checkpoint", Fixture("vit_micro.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains("no ShapedVit metadata", error);
        Assert.Contains("name it with --model (known: FashionVit, vit_tiny_patch16_224,", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void An_unknown_model_name_lists_the_known_ones()
    {
        var (code, _, error) = Run(WithFixtureModel, "a.png", "--checkpoint", Fixture("vit_micro.safetensors"), "--model", "vit_giant");
        Assert.Equal(1, code);
        Assert.Contains("--model vit_giant is not a model this tool knows (known: FashionVit, vit_tiny_patch16_224", error);
    }

    [Fact]
    public void A_checkpoint_of_another_name_is_matched_by_its_architecture()
    {
        var metadata = FashionModel.Metadata with { ModelName = "MyFashionModel", Architecture = "MyFashionModel" + ModelCatalog.ShapePart(FashionModel.Architecture) };
        Assert.Equal(FashionModel.Name, ModelCatalog.BuiltIn.Find(null, metadata)!.Name);
        Assert.Null(ModelCatalog.BuiltIn.Find(null, new CheckpointMetadata { Architecture = "Other(image 1x1x1)" }));
    }

    [Fact]
    public void The_catalogue_has_the_papers_family_under_timm_and_torchvision_names_with_imagenet_labels()
    {
        var names = ModelCatalog.BuiltIn.Models.Select(m => m.Name).ToList();
        foreach (var name in new[] { "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_base_patch16_224", "vit_base_patch32_224", "vit_large_patch16_224", "vit_b_16", "vit_b_32", "vit_l_16" })
            Assert.Contains(name, names);
        Assert.Equal(1000, ModelCatalog.ImageNetLabels.Count);
        Assert.Equal("tench", ModelCatalog.ImageNetLabels[0]);
        Assert.Equal("toilet tissue", ModelCatalog.ImageNetLabels[999]);
        Assert.Equal(Interpolation.Bilinear, ModelCatalog.BuiltIn.Named("vit_b_16")!.Preprocessing.Interpolation);
        Assert.Equal(0.9, ModelCatalog.BuiltIn.Named("vit_base_patch16_224")!.Preprocessing.CropPct);
        Assert.Equal(5717416L, VitTinyPatch16.ParameterCountFor(1000)); // timm's vit_tiny_patch16_224
    }
}
