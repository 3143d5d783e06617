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
}
