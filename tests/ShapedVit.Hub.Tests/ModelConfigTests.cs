using System.Text;

namespace ShapedVit.Hub.Tests;

public sealed class ModelConfigTests
{
    // As timm's push_to_hub writes it (vit_tiny_patch16_224.augreg_in21k_ft_in1k, labels shortened to three classes).
    private const string TimmConfig = """
        {
            "architecture": "vit_tiny_patch16_224",
            "num_classes": 3,
            "num_features": 192,
            "global_pool": "token",
            "label_names": ["tench", "goldfish", "great white shark"],
            "pretrained_cfg": {
                "tag": "augreg_in21k_ft_in1k",
                "custom_load": true,
                "input_size": [3, 224, 224],
                "fixed_input_size": true,
                "interpolation": "bicubic",
                "crop_pct": 0.9,
                "crop_mode": "center",
                "mean": [0.5, 0.5, 0.5],
                "std": [0.5, 0.5, 0.5],
                "num_classes": 3,
                "pool_size": null,
                "first_conv": "patch_embed.proj",
                "classifier": "head"
            }
        }
        """;

    // As transformers writes it for facebook/deit-tiny-patch16-224 (labels shortened).
    private const string TransformersConfig = """
        {
          "architectures": ["ViTForImageClassification"],
          "attention_probs_dropout_prob": 0.0,
          "hidden_act": "gelu",
          "hidden_size": 192,
          "id2label": {"0": "tench, Tinca tinca", "2": "great white shark", "1": "goldfish"},
          "image_size": 224,
          "intermediate_size": 768,
          "model_type": "vit",
          "num_attention_heads": 3,
          "num_channels": 3,
          "num_hidden_layers": 12,
          "patch_size": 16,
          "qkv_bias": true
        }
        """;

    private static HubModelConfig Parse(string json) => HubModelConfig.Parse(Encoding.UTF8.GetBytes(json), "cache/config.json");

    [Fact]
    public void Timms_config_gives_architecture_labels_and_preprocessing()
    {
        var config = Parse(TimmConfig);

        Assert.Equal(HubConfigFormat.Timm, config.Format);
        Assert.Equal("vit_tiny_patch16_224", config.Architecture);
        Assert.Equal(3, config.NumClasses);
        Assert.Equal(192, config.NumFeatures);
        Assert.Equal(["tench", "goldfish", "great white shark"], config.LabelNames);
        Assert.Equal((3, 224, 224), config.InputSize);
        Assert.Equal([0.5, 0.5, 0.5], config.Mean);
        Assert.Equal([0.5, 0.5, 0.5], config.Std);
        Assert.Equal(0.9, config.CropPct);
        Assert.Equal("center", config.CropMode);
        Assert.Equal("bicubic", config.Interpolation);
    }

    [Fact]
    public void Timms_label_names_as_an_object_and_model_args_are_read()
    {
        var config = Parse("""{"architecture": "vit_base_patch16_224", "num_classes": 2, "global_pool": "avg", "label_names": {"1": "dog", "0": "cat"}, "model_args": {"img_size": 384, "class_token": false}}""");

        Assert.Equal(["cat", "dog"], config.LabelNames);
        Assert.Equal("avg", config.GlobalPool);
        Assert.Equal("384", config.ModelArgs["img_size"]);
        Assert.Equal("false", config.ModelArgs["class_token"]);
    }

    [Fact]
    public void Transformers_config_gives_model_type_labels_in_id_order_and_geometry()
    {
        var config = Parse(TransformersConfig);

        Assert.Equal(HubConfigFormat.Transformers, config.Format);
        Assert.Equal("ViTForImageClassification", config.Architecture);
        Assert.Equal("vit", config.ModelType);
        Assert.Equal(["tench, Tinca tinca", "goldfish", "great white shark"], config.LabelNames);
        Assert.Equal(3, config.NumClasses);
        Assert.Equal((3, 224, 224), config.InputSize);
        Assert.Equal(16, config.PatchSize);
        Assert.Equal(192, config.HiddenSize);
        Assert.Equal(12, config.NumHiddenLayers);
        Assert.Equal(3, config.NumAttentionHeads);
        Assert.Equal(768, config.IntermediateSize);
    }

    [Fact]
    public void A_clip_or_siglip_config_reads_the_image_towers_geometry_from_vision_config()
    {
        var config = Parse("""{"model_type": "siglip", "architectures": ["SiglipModel"], "vision_config": {"image_size": [256, 320], "patch_size": 16, "hidden_size": 768}}""");

        Assert.Equal((3, 256, 320), config.InputSize);
        Assert.Equal(768, config.HiddenSize);
    }

    [Theory]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"input_size": [3, null, 224]}}""", "field pretrained_cfg.input_size[1]: a null, not an integer")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"input_size": [3, 46341, 224]}}""", "field pretrained_cfg.input_size[1]: 46341 is outside 1..8192")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"crop_pct": 1e9}}""", "field pretrained_cfg.crop_pct: 1000000000 is outside 0.001..1")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"mean": [1e39, 0, 0]}}""", "field pretrained_cfg.mean[0]: 1E+39 is outside -10..10")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"std": [1e-45, 1, 1]}}""", "field pretrained_cfg.std[0]: 1E-45 is outside 0.0001..10")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"input_size": [3, 224, 224], "mean": [0.5, 0.5]}}""", "field pretrained_cfg.mean: 2 values for 3 channels")]
    [InlineData("""{"architecture": "vit", "pretrained_cfg": {"interpolation": "sinc"}}""", "field pretrained_cfg.interpolation: 'sinc' is not one of bilinear, bicubic, nearest, lanczos, box, hamming")]
    [InlineData("""{"architecture": "vit", "num_classes": 3000000}""", "field num_classes: 3000000 is outside 0..100000")]
    [InlineData("""{"architecture": "vit", "num_classes": 2, "label_names": ["a", "b", "c"]}""", "field label_names: 3 names for num_classes 2")]
    [InlineData("""{"architecture": "vit", "label_names": ["ok", "\u001b[31mred"]}""", "field label_names[1]: '\\u001b[31mred' contains control characters")]
    [InlineData("""{"architecture": "vit", "architecture": "deit"}""", "field architecture: appears twice")]
    [InlineData("""{"architecture": 42}""", "field architecture: a number, not a string")]
    [InlineData("""{"architecture": "vit\nrm -rf"}""", "field architecture: 'vit\\u000arm -rf' is not a model name (1-128 letters, digits, '_', '-', '.')")]
    [InlineData("""{"model_type": "vit", "id2label": {"0": "a", "5": "b"}}""", "field id2label.5: not a class id in 0..1")]
    [InlineData("""{"architecture": "vit", "label_names": {"0": "a", "2": "c"}}""", "field label_names.2: not a class id in 0..1")]
    [InlineData("""{"architecture": "vit", "model_args": {"img size": 1}}""", "field model_args.img size: not a keyword argument name")]
    [InlineData("""{"num_classes": 3}""", "field architecture: missing: neither timm's config (architecture) nor transformers' (model_type, architectures)")]
    [InlineData("""[1, 2]""", "field (file): not a JSON object")]
    public void Untrusted_fields_are_refused_in_one_line_naming_the_file_and_field(string json, string problem)
    {
        var error = Assert.Throws<HubException>(() => Parse(json));

        Assert.Equal(HubErrorKind.InvalidConfig, error.Kind);
        Assert.Equal("cache/config.json: " + problem, error.Message);
    }

    [Fact]
    public void A_config_larger_than_the_cap_is_refused_before_it_is_parsed()
    {
        var path = Path.Combine(Path.GetTempPath(), "shapedvit-hub-big-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            using (var file = File.Create(path)) file.SetLength(HubModelConfig.MaxBytes + 1);

            var error = Assert.Throws<HubException>(() => HubModelConfig.Read(path));

            Assert.Equal($"{path}: {HubModelConfig.MaxBytes + 1} bytes, more than the {HubModelConfig.MaxBytes} a config.json may have", error.Message);
        }
        finally { File.Delete(path); }
    }

    // The configs as the Hub serves them (text configs and unrelated fields left out); recent transformers writes only the
    // fields that differ from the config class's defaults, so a missing field has transformers' default.
    [Theory]
    [InlineData("facebook/dinov2-small", """{"architectures": ["Dinov2Model"], "hidden_act": "gelu", "hidden_size": 384, "image_size": 518, "layerscale_value": 1.0, "mlp_ratio": 4, "model_type": "dinov2", "num_attention_heads": 6, "num_channels": 3, "num_hidden_layers": 12, "patch_size": 14, "qkv_bias": true, "use_swiglu_ffn": false}""", "vit_small_patch14_dinov2")]
    [InlineData("facebook/dinov2-large", """{"architectures": ["Dinov2Model"], "hidden_size": 1024, "image_size": 518, "model_type": "dinov2", "num_attention_heads": 16, "num_hidden_layers": 24, "patch_size": 14}""", "vit_large_patch14_dinov2")]
    [InlineData("facebook/dinov2-with-registers-base", """{"architectures": ["Dinov2WithRegistersModel"], "hidden_size": 768, "image_size": 518, "model_type": "dinov2_with_registers", "num_attention_heads": 12, "num_hidden_layers": 12, "num_register_tokens": 4, "patch_size": 14}""", "vit_base_patch14_reg4_dinov2")]
    [InlineData("google/siglip-base-patch16-224", """{"architectures": ["SiglipModel"], "initializer_factor": 1.0, "model_type": "siglip", "text_config": {"model_type": "siglip_text_model"}, "vision_config": {"model_type": "siglip_vision_model", "patch_size": 16}}""", "vit_base_patch16_siglip_224")]
    [InlineData("google/siglip-base-patch16-384", """{"architectures": ["SiglipModel"], "model_type": "siglip", "vision_config": {"image_size": 384, "model_type": "siglip_vision_model", "patch_size": 16}}""", "vit_base_patch16_siglip_384")]
    [InlineData("google/siglip-so400m-patch14-384", """{"architectures": ["SiglipModel"], "model_type": "siglip", "vision_config": {"hidden_size": 1152, "image_size": 384, "intermediate_size": 4304, "model_type": "siglip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 27, "patch_size": 14}}""", "vit_so400m_patch14_siglip_384")]
    [InlineData("a siglip_vision_model alone", """{"architectures": ["SiglipVisionModel"], "model_type": "siglip_vision_model", "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "image_size": 256, "patch_size": 16}""", "vit_large_patch16_siglip_256")]
    [InlineData("openai/clip-vit-base-patch32", """{"architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": 512, "vision_config": {"hidden_act": "quick_gelu", "hidden_size": 768, "image_size": 224, "intermediate_size": 3072, "model_type": "clip_vision_model", "num_attention_heads": 12, "num_hidden_layers": 12, "patch_size": 32}}""", "vit_base_patch32_clip_quickgelu_224")]
    [InlineData("openai/clip-vit-large-patch14-336", """{"architectures": ["CLIPModel"], "model_type": "clip", "vision_config": {"hidden_size": 1024, "image_size": 336, "intermediate_size": 4096, "model_type": "clip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 24, "patch_size": 14}}""", "vit_large_patch14_clip_quickgelu_336")]
    [InlineData("laion/CLIP-ViT-B-16-laion2B-s34B-b88K (vision tower)", """{"architectures": ["CLIPVisionModel"], "model_type": "clip_vision_model", "hidden_act": "gelu", "hidden_size": 768, "image_size": 224, "num_attention_heads": 12, "num_hidden_layers": 12, "patch_size": 16}""", "vit_base_patch16_clip_224")]
    [InlineData("facebook/deit-base-distilled-patch16-384", """{"architectures": ["DeiTForImageClassificationWithTeacher"], "hidden_size": 768, "image_size": 384, "model_type": "deit", "num_attention_heads": 12, "num_hidden_layers": 12, "patch_size": 16}""", "deit_base_distilled_patch16_384")]
    [InlineData("facebook/deit-tiny-patch16-224 (a ViT in transformers)", TransformersConfig, "vit_tiny_patch16_224")]
    [InlineData("google/vit-base-patch16-224", """{"architectures": ["ViTForImageClassification"], "model_type": "vit"}""", "vit_base_patch16_224")]
    public void A_transformers_config_maps_to_the_timm_architecture_of_its_family_and_geometry(string repo, string json, string timm)
    {
        var config = Parse(json);

        Assert.Equal(timm, config.TimmArchitecture);
        Assert.Equal(timm, config.RequireTimmArchitecture());
        Assert.NotNull(repo);
    }

    [Fact]
    public void A_timm_configs_architecture_is_its_own()
    {
        Assert.Equal("vit_tiny_patch16_224", Parse(TimmConfig).RequireTimmArchitecture());
    }

    [Theory]
    [InlineData("""{"model_type": "swin", "architectures": ["SwinModel"]}""", "SwinModel matches no timm architecture: model_type 'swin' has no timm counterpart here (known: vit, deit, dinov2, dinov2_with_registers, clip, clip_vision_model, siglip, siglip_vision_model)")]
    [InlineData("""{"model_type": "dinov2", "hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 8}""", "dinov2 matches no timm architecture: no timm size has hidden_size 384, num_hidden_layers 12, num_attention_heads 8")]
    [InlineData("""{"model_type": "dinov2", "hidden_size": 192, "num_hidden_layers": 12, "num_attention_heads": 3}""", "dinov2 matches no timm architecture: dinov2 of hidden_size 192, 12 layers, 3 heads, patch 14, image 224 would be vit_tiny_patch14_dinov2, which timm does not have")]
    [InlineData("""{"model_type": "vit", "image_size": [224, 256]}""", "vit matches no timm architecture: image_size 224x256 is not square")]
    public void A_transformers_config_that_matches_no_timm_architecture_is_one_line(string json, string problem)
    {
        var config = Parse(json);

        Assert.Null(config.TimmArchitecture);
        var error = Assert.Throws<HubException>(() => config.RequireTimmArchitecture());
        Assert.Equal(HubErrorKind.UnsupportedArchitecture, error.Kind);
        Assert.Equal("cache/config.json: field model_type: " + problem, error.Message);
    }

    [Theory]
    [InlineData("""{"model_type": "clip", "vision_config": {"hidden_act": 5}}""", "field vision_config.hidden_act: a number, not a string")]
    [InlineData("""{"model_type": "dinov2_with_registers", "num_register_tokens": 1000}""", "field num_register_tokens: 1000 is outside 0..64")]
    public void The_new_transformers_fields_are_checked_like_the_others(string json, string problem)
    {
        var error = Assert.Throws<HubException>(() => Parse(json));

        Assert.Equal("cache/config.json: " + problem, error.Message);
    }
}
