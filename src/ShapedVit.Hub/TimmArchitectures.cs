using System.Globalization;

namespace ShapedVit.Hub;

/// <summary>transformers' vision configs mapped to the timm architecture with the same family and geometry
/// (facebook/dinov2-small: dinov2, 384 wide, 12 deep, 6 heads, patch 14 -> <c>vit_small_patch14_dinov2</c>), the way timm
/// names its models: <c>{prefix}_{size}_patch{p}_{suffix}[_{image}]</c>.</summary>
internal static class TimmArchitectures
{
    // timm's size words by (width, depth, heads), as vision_transformer.py declares them.
    private static readonly Dictionary<(int Width, int Depth, int Heads), string> Sizes = new()
    {
        [(192, 12, 3)] = "tiny", [(384, 12, 6)] = "small", [(512, 12, 8)] = "medium", [(768, 12, 12)] = "base",
        [(1024, 24, 16)] = "large", [(1280, 32, 16)] = "huge", [(1536, 40, 24)] = "giant", [(1152, 27, 16)] = "so400m",
    };

    // The timm architectures that have a transformers counterpart (timm 1.0's vision_transformer.py and deit.py). A
    // geometry that spells a name outside this list (a ViT-Ti/14 DINOv2) is refused rather than guessed.
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "vit_small_patch14_dinov2", "vit_base_patch14_dinov2", "vit_large_patch14_dinov2", "vit_giant_patch14_dinov2",
        "vit_small_patch14_reg4_dinov2", "vit_base_patch14_reg4_dinov2", "vit_large_patch14_reg4_dinov2", "vit_giant_patch14_reg4_dinov2",
        "vit_base_patch16_siglip_224", "vit_base_patch16_siglip_256", "vit_base_patch16_siglip_384", "vit_base_patch16_siglip_512",
        "vit_base_patch32_siglip_256", "vit_large_patch16_siglip_256", "vit_large_patch16_siglip_384", "vit_large_patch16_siglip_512",
        "vit_so400m_patch14_siglip_224", "vit_so400m_patch14_siglip_378", "vit_so400m_patch14_siglip_384",
        "vit_so400m_patch16_siglip_256", "vit_so400m_patch16_siglip_384", "vit_so400m_patch16_siglip_512",
        "vit_base_patch16_clip_224", "vit_base_patch16_clip_384", "vit_base_patch32_clip_224", "vit_base_patch32_clip_256",
        "vit_base_patch32_clip_384", "vit_base_patch32_clip_448", "vit_large_patch14_clip_224", "vit_large_patch14_clip_336",
        "vit_huge_patch14_clip_224", "vit_huge_patch14_clip_336", "vit_medium_patch16_clip_224", "vit_medium_patch32_clip_224",
        "vit_base_patch16_clip_quickgelu_224", "vit_base_patch32_clip_quickgelu_224", "vit_large_patch14_clip_quickgelu_224",
        "vit_large_patch14_clip_quickgelu_336", "vit_huge_patch14_clip_quickgelu_224",
        "deit_tiny_distilled_patch16_224", "deit_small_distilled_patch16_224", "deit_base_distilled_patch16_224", "deit_base_distilled_patch16_384",
        "vit_tiny_patch16_224", "vit_tiny_patch16_384", "vit_small_patch16_224", "vit_small_patch16_384", "vit_small_patch32_224",
        "vit_small_patch32_384", "vit_small_patch8_224", "vit_base_patch16_224", "vit_base_patch16_384", "vit_base_patch32_224",
        "vit_base_patch32_384", "vit_base_patch8_224", "vit_large_patch16_224", "vit_large_patch16_384", "vit_large_patch32_224",
        "vit_large_patch32_384", "vit_huge_patch14_224",
    };

    /// <summary>The model types this maps, for the error line.</summary>
    public const string ModelTypes = "vit, deit, dinov2, dinov2_with_registers, clip, clip_vision_model, siglip, siglip_vision_model";

    /// <summary>timm's name for <paramref name="config"/> (transformers' format), or the reason there is none. A field the
    /// file leaves out has its transformers config class's default, as transformers reads it (recent transformers writes
    /// only what differs: google/siglip-base-patch16-224's vision_config says nothing but its patch size).</summary>
    public static (string? Name, string? Problem) FromTransformers(HubModelConfig config)
    {
        var type = config.ModelType;
        if (type is null) return (null, "no model_type");
        // ViTConfig, DeiTConfig, Dinov2Config, SiglipVisionConfig, CLIPVisionConfig: 768 wide, 12 deep, 12 heads, 224 pixels.
        int defaultPatch = type switch { "dinov2" or "dinov2_with_registers" => 14, "clip" or "clip_vision_model" => 32, _ => 16 };
        var width = config.HiddenSize ?? 768;
        var depth = config.NumHiddenLayers ?? 12;
        var heads = config.NumAttentionHeads ?? 12;
        var patch = config.PatchSize ?? defaultPatch;
        var input = config.InputSize ?? (3, 224, 224);
        var activation = config.HiddenActivation ?? (type is "clip" or "clip_vision_model" ? "quick_gelu" : "gelu");
        if (!Sizes.TryGetValue((width, depth, heads), out var size))
            return (null, $"no timm size has hidden_size {width}, num_hidden_layers {depth}, num_attention_heads {heads}");
        if (input.Height != input.Width) return (null, $"image_size {input.Height}x{input.Width} is not square");
        var image = input.Height.ToString(CultureInfo.InvariantCulture);
        var patchSize = patch.ToString(CultureInfo.InvariantCulture);
        string? name = type switch
        {
            // transformers' Dinov2 runs at 518 (timm's default for these), so timm's name carries no image size.
            "dinov2" => $"vit_{size}_patch{patchSize}_dinov2",
            "dinov2_with_registers" when config.RegisterTokens is null or 4 => $"vit_{size}_patch{patchSize}_reg4_dinov2",
            "siglip" or "siglip_vision_model" => $"vit_{size}_patch{patchSize}_siglip_{image}",
            // OpenAI's CLIP weights use quick_gelu, which timm names as its own architecture.
            "clip" or "clip_vision_model" => activation == "quick_gelu"
                ? $"vit_{size}_patch{patchSize}_clip_quickgelu_{image}"
                : $"vit_{size}_patch{patchSize}_clip_{image}",
            // transformers' DeiT always has the distillation token: timm's distilled DeiT.
            "deit" => $"deit_{size}_distilled_patch{patchSize}_{image}",
            "vit" => $"vit_{size}_patch{patchSize}_{image}",
            _ => null,
        };
        if (name is null) return (null, $"model_type '{type}' has no timm counterpart here (known: {ModelTypes})");
        return Known.Contains(name) ? (name, null)
            : (null, $"{type} of hidden_size {width}, {depth} layers, {heads} heads, patch {patchSize}, image {image} would be {name}, which timm does not have");
    }
}
