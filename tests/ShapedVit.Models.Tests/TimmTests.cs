using System.Text.Json.Nodes;
using ShapedVit.Checkpoints;
using ShapedVit.Models.Catalogue;
using TorchSharp;

namespace ShapedVit.Models.Tests;

/// <summary>Timm.Create and the catalogue by name: names, tags, class counts, metadata, errors. Only Tiny and Small models are built.</summary>
public class TimmTests
{
    [Fact]
    public void Names_are_every_architecture_of_timms_registry_sorted()
    {
        var (_, _, entries) = TimmTranslator.Load();
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), Timm.Names);
        Assert.Equal(87, Timm.Names.Count);
        Assert.Contains("vit_small_patch14_reg4_dinov2", Timm.Names);
        Assert.Contains("deit_tiny_distilled_patch16_224", Timm.Names);
        Assert.Contains("eva02_large_patch14_clip_336", Timm.Names);
        Assert.Equal(Timm.Names, Timm.Architectures.Select(a => a.Name));
    }

    [Fact]
    public void Pretrained_names_are_every_tag_with_weights()
    {
        var (_, _, entries) = TimmTranslator.Load();
        Assert.Equal(entries.SelectMany(e => e.Pretrained).Select(t => (string)t["name"]!).Order(StringComparer.Ordinal), Timm.PretrainedNames);
        Assert.Equal(192, Timm.PretrainedNames.Count);
        Assert.Contains("vit_small_patch14_dinov2.lvd142m", Timm.PretrainedNames);
        Assert.DoesNotContain("vit_large_patch14_224.untrained", Timm.PretrainedNames);
        Assert.Equal(["vit_small_patch16_224.augreg_in1k", "vit_small_patch16_224.augreg_in21k", "vit_small_patch16_224.augreg_in21k_ft_in1k", "vit_small_patch16_224.dino"],
                     Timm.Architecture("vit_small_patch16_224").Pretrained.Select(p => p.Name));
    }

    [Fact]
    public void A_bare_name_means_timms_default_tag()
    {
        Assert.Equal("lvd142m", Timm.DefaultTag("vit_small_patch14_dinov2"));
        Assert.Equal("augreg2_in21k_ft_in1k", Timm.DefaultTag("vit_base_patch16_224"));
        Assert.Equal("untrained", Timm.DefaultTag("vit_large_patch14_224"));
        Assert.Null(Timm.DefaultTag("resnet50"));
        Assert.Null(Timm.DefaultTag("vit_small_patch14_dinov2.lvd142m"));   // an architecture, not a full name
        Assert.Equal("vit_base_patch16_224.augreg2_in21k_ft_in1k", Timm.PretrainedConfig("vit_base_patch16_224").Name);
        Assert.Equal("vit_base_patch16_224.augreg_in1k", Timm.PretrainedConfig("vit_base_patch16_224.augreg_in1k").Name);
    }

    [Fact]
    public void The_pretrained_config_is_timms()
    {
        var dinov2 = Timm.PretrainedConfig("vit_small_patch14_dinov2.lvd142m");
        Assert.Equal("vit_small_patch14_dinov2", dinov2.Architecture);
        Assert.Equal("lvd142m", dinov2.Tag);
        Assert.Equal("timm/vit_small_patch14_dinov2.lvd142m", dinov2.HfHubId);
        Assert.True(dinov2.HasWeights);
        Assert.Equal(0, dinov2.NumClasses);
        Assert.Equal([3, 518, 518], dinov2.InputSize);
        Assert.Equal([0.485, 0.456, 0.406], dinov2.Mean);
        Assert.Equal([0.229, 0.224, 0.225], dinov2.Std);
        Assert.Equal(1.0, dinov2.CropPct);
        Assert.Equal("center", dinov2.CropMode);
        Assert.Equal("bicubic", dinov2.Interpolation);
        Assert.True(new PreprocessConfig(518, 1.0, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]).Equals(dinov2.Preprocessing), dinov2.Preprocessing?.ToString());

        var miil = Timm.PretrainedConfig("vit_base_patch16_224_miil.in21k");
        Assert.Equal(11221, miil.NumClasses);
        Assert.Equal(0.875, miil.CropPct);
        Assert.Equal(Interpolation.Bilinear, miil.Preprocessing.Interpolation);
        Assert.Equal([0.0, 0.0, 0.0], miil.Mean);
        Assert.Equal("squash", Timm.PretrainedConfig("vit_base_patch16_clip_384.openai_ft_in1k").CropMode);

        var untrained = Timm.PretrainedConfig("vit_base_patch16_reg4_gap_256");
        Assert.Equal("vit_base_patch16_reg4_gap_256.untrained", untrained.Name);
        Assert.Null(untrained.HfHubId);
        Assert.False(untrained.HasWeights);
        Assert.Equal([3, 256, 256], untrained.InputSize);
        Assert.Equal(1000, untrained.NumClasses);
    }

    [Fact]
    public void Every_tag_and_every_architecture_resolves_to_its_own_config()
    {
        foreach (var name in Timm.PretrainedNames) Assert.Equal(name, Timm.PretrainedConfig(name).Name);
        foreach (var architecture in Timm.Architectures)
        {
            Assert.Same(architecture, Timm.Architecture(architecture.Name));
            Assert.Same(architecture.DefaultConfig, Timm.PretrainedConfig(architecture.Name));
            Assert.Equal($"{architecture.Name}.{architecture.DefaultTag}", architecture.DefaultConfig.Name);
            Assert.Equal(architecture.DefaultConfig.InputSize[1], architecture.Spec.ImageHeight);
            Assert.True(architecture.Spec.RuntimeNumClasses);
            Assert.Equal(architecture.Name, ((Type)architecture.ModelType).Namespace == "ShapedVit.Models.Catalogue" ? architecture.Name : null);
        }
    }

    [Fact]
    public void Create_builds_the_generated_type_with_the_default_tags_class_count()
    {
        using var model = Timm.Create("vit_tiny_patch16_224", seed: 0);
        var vit = Assert.IsType<VitTinyPatch16_224>(model);
        Assert.Equal(1000, vit.NumClasses);   // augreg_in21k_ft_in1k
        Assert.Equal(VitTinyPatch16_224.ParameterCountFor(1000), model.parameters().Sum(p => p.numel()));
        model.eval();
        using var noGrad = torch.no_grad();
        using var images = torch.randn(1, 3, 224, 224);
        using var logits = model.forward(images);
        Assert.Equal(new long[] { 1, 1000 }, logits.shape);

        using var in21k = Timm.Create("vit_tiny_patch16_224.augreg_in21k", seed: 0);
        Assert.Equal(21843, ((IVisionTransformer)in21k).Spec.NumClasses);
    }

    [Fact]
    public void Where_timms_class_count_is_0_the_model_is_headless()
    {
        using var model = Timm.Create("vit_small_patch16_224.dino", seed: 0);
        Assert.Equal(0, ((VitSmallPatch16_224)model).NumClasses);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("head", StringComparison.Ordinal));
        Assert.Equal(VitSmallPatch16_224.ParameterCountFor(0), model.parameters().Sum(p => p.numel()));
        model.eval();
        using var noGrad = torch.no_grad();
        using var images = torch.randn(1, 3, 224, 224);
        using var pooled = model.forward(images);
        Assert.Equal(new long[] { 1, 384 }, pooled.shape);
    }

    [Theory, InlineData(10), InlineData(0), InlineData(1)]
    public void A_class_count_overrides_the_tags_with_a_new_head(int classes)
    {
        using var model = Timm.Create("deit_tiny_patch16_224.fb_in1k", numClasses: classes, seed: 1);
        var vit = Assert.IsType<DeitTinyPatch16_224>(model);
        Assert.Equal(classes, vit.NumClasses);
        Assert.Equal(DeitTinyPatch16_224.ParameterCountFor(classes), model.parameters().Sum(p => p.numel()));
        Assert.Contains($"classes {classes},", Timm.MetadataOf(model)!.Architecture);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        using var a = Timm.Create("vit_tiny_patch16_224", numClasses: 3, seed: 7);
        using var b = Timm.Create("vit_tiny_patch16_224.augreg_in21k", numClasses: 3, seed: 7);
        var bs = b.state_dict();
        foreach (var (key, value) in a.state_dict()) Assert.True(value.allclose(bs[key], 0, 0), key);
    }

    [Fact]
    public void A_negative_class_count_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Timm.Create("vit_tiny_patch16_224", numClasses: -1));
        Assert.Equal("numClasses", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Timm.Metadata("vit_tiny_patch16_224", numClasses: -2));
    }

    [Fact]
    public void The_tags_pretrained_cfg_is_the_models_checkpoint_metadata()
    {
        using var model = Timm.Create("vit_tiny_patch16_224.augreg_in21k_ft_in1k", seed: 0);
        var metadata = Timm.MetadataOf(model);
        Assert.NotNull(metadata);
        Assert.Equal("vit_tiny_patch16_224.augreg_in21k_ft_in1k", metadata.ModelName);
        Assert.Equal(ModelArchitecture.Describe("vit_tiny_patch16_224", ((IVisionTransformer)model).Spec), metadata.Architecture);
        Assert.Equal(CheckpointMetadata.For((IVisionTransformer)model, name: "vit_tiny_patch16_224").Architecture, metadata.Architecture);
        Assert.True(new PreprocessConfig(224, 0.9, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]).Equals(metadata.Preprocessing), metadata.Preprocessing?.ToString());
        Assert.Null(metadata.Labels);   // timm's pretrained_cfg of these tags names no labels
        var cfg = JsonNode.Parse(metadata.Extra[TimmPretrainedConfig.MetadataKey])!.AsObject();
        Assert.Equal("timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k", (string)cfg["hf_hub_id"]!);
        Assert.Equal(1000, (int)cfg["num_classes"]!);
        Assert.Equal("center", (string)cfg["crop_mode"]!);
        Assert.Equal("augreg_in21k_ft_in1k", (string)cfg["tag"]!);
        Assert.Equal(metadata, Timm.Metadata("vit_tiny_patch16_224.augreg_in21k_ft_in1k") with { Extra = metadata.Extra });
        Assert.Equal(metadata.Extra, Timm.Metadata("vit_tiny_patch16_224.augreg_in21k_ft_in1k").Extra);

        // It survives a round trip through the safetensors metadata, as any checkpoint's does.
        var parsed = CheckpointMetadata.Parse(metadata.ToDictionary());
        Assert.Equal(metadata.Preprocessing, parsed.Preprocessing);
        Assert.Equal(metadata.Extra[TimmPretrainedConfig.MetadataKey], parsed.Extra[TimmPretrainedConfig.MetadataKey]);

        using var other = new VitTinyPatch16_224(numClasses: 5, seed: 0);
        Assert.Null(Timm.MetadataOf(other));
    }

    [Fact]
    public void Every_tags_preprocessing_is_valid_checkpoint_metadata()
    {
        foreach (var name in Timm.PretrainedNames)
        {
            var metadata = Timm.Metadata(name);
            Assert.Empty(metadata.Preprocessing!.Problems());
            var parsed = CheckpointMetadata.Parse(metadata.ToDictionary());
            Assert.Equal(metadata.Preprocessing, parsed.Preprocessing);
        }
    }

    [Theory]
    [InlineData("vit_smal_patch16_224",
        "Unknown timm model 'vit_smal_patch16_224': the nearest names are vit_small_patch16_224, vit_base_patch16_224, vit_tiny_patch16_224 (Timm.Names lists all 87).")]
    [InlineData("dinov2_vits14",
        "Unknown timm model 'dinov2_vits14': the nearest names are vit_base_patch14_dinov2, vit_large_patch14_dinov2, vit_small_patch14_dinov2 (Timm.Names lists all 87).")]
    [InlineData("VIT_TINY_PATCH16_224",
        "Unknown timm model 'VIT_TINY_PATCH16_224': the nearest names are vit_tiny_patch16_224, vit_tiny_patch16_384, deit_tiny_patch16_224 (Timm.Names lists all 87).")]
    [InlineData("vit_small_patch14_dinov2.lvd142",
        "Unknown timm model 'vit_small_patch14_dinov2.lvd142': vit_small_patch14_dinov2 has no tag 'lvd142'; the nearest are vit_small_patch14_dinov2.lvd142m (1 tag in all).")]
    [InlineData("vit_base_patch16_224.augreg_in1x",
        "Unknown timm model 'vit_base_patch16_224.augreg_in1x': vit_base_patch16_224 has no tag 'augreg_in1x'; the nearest are vit_base_patch16_224.augreg_in1k, vit_base_patch16_224.augreg_in21k, vit_base_patch16_224.augreg_in21k_ft_in1k (9 tags in all).")]
    [InlineData("vit_large_patch14_224.openai",
        "Unknown timm model 'vit_large_patch14_224.openai': vit_large_patch14_224 has no pretrained weights, only its default tag vit_large_patch14_224.untrained.")]
    [InlineData("hf-hub:timm/vit_small_patch14_dinov2.lvd142m",
        "'hf-hub:timm/vit_small_patch14_dinov2.lvd142m' names a Hugging Face Hub repo: its architecture is in the repo's config.json, which Timm.Create(name, pretrained: true) reads; Timm.Create(name) takes timm's names (Timm.Names).")]
    public void An_unknown_name_is_one_line_with_the_nearest_names(string name, string message)
    {
        var error = Assert.Throws<UnknownModelException>(() => Timm.Create(name));
        Assert.Equal(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(name, error.Name);
        Assert.Equal(message, Assert.Throws<UnknownModelException>(() => Timm.PretrainedConfig(name)).Message);
        Assert.Equal(message, Assert.Throws<UnknownModelException>(() => Timm.Metadata(name)).Message);
    }

    [Fact]
    public void A_hostile_name_is_quoted_short_and_on_one_line()
    {
        string name = "vit\n" + new string('x', 5000);
        var error = Assert.Throws<UnknownModelException>(() => Timm.Create(name));
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Length < 400, error.Message);
        Assert.StartsWith("Unknown timm model 'vit\\u000axxx", error.Message);
        Assert.Equal(3, error.Nearest.Count);
    }

    [Fact]
    public void The_untrained_default_tag_builds_with_its_config()
    {
        // vit_base_patch16_reg4_gap_256: timm has no weights, its bare name builds at 256 px with 1000 classes.
        var architecture = Timm.Architecture("vit_base_patch16_reg4_gap_256.untrained");
        Assert.Equal(256, architecture.Spec.ImageHeight);
        Assert.Equal(1000, Timm.Metadata("vit_base_patch16_reg4_gap_256").Preprocessing is { Size: 256 } ? architecture.DefaultConfig.NumClasses : -1);
    }
}
