using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Checkpoints;

/// <summary>
/// Hugging Face transformers' namings of the Vision Transformer families, converted to timm's keys: ViTModel, DeiTModel /
/// DeiTForImageClassificationWithTeacher, Dinov2Model / Dinov2WithRegistersModel, and the vision towers of CLIPModel and
/// SiglipModel. The tables follow transformers' own conversion scripts (models/*/convert_*_to_hf.py) and timm's
/// checkpoint_filter_fn; tests/Fixtures/hf checks them against transformers' and timm's outputs.
/// </summary>
internal static class HuggingFaceNamings
{
    // The model-level prefixes of transformers' classes: ViTForImageClassification (vit.), DeiTFor* (deit.),
    // Dinov2ForImageClassification (dinov2.), CLIP/SigLIP vision towers inside CLIPModel, CLIPVisionModel... (vision_model.).
    private const string VitFamilyPrefix = @"(?:vit\.|deit\.|dinov2\.)?";
    private const string VisionPrefix = @"(?:vision_model\.)?";

    public static readonly Regex VitFamilySignature = new(
        $@"^{VitFamilyPrefix}(embeddings\.(cls_token$|position_embeddings$|patch_embeddings\.|distillation_token$|register_tokens$|mask_token$)|encoder\.layer\.\d+\.)",
        RegexOptions.CultureInvariant);
    private static readonly Regex DeitMarker = new(@"^deit\.|(^|\.)embeddings\.distillation_token$|^(cls|distillation)_classifier\.", RegexOptions.CultureInvariant);
    private static readonly Regex Dinov2Marker = new(
        @"^dinov2\.|(^|\.)embeddings\.(mask_token|register_tokens)$|(^|\.)encoder\.layer\.\d+\.(norm[12]|layer_scale[12]|mlp)\.", RegexOptions.CultureInvariant);

    public static readonly Regex ClipFamilySignature = new(
        $@"^{VisionPrefix}(embeddings\.(class_embedding$|patch_embedding\.|position_embedding\.)|encoder\.layers\.\d+\.(layer_norm[12]|self_attn|mlp)\.|pre_layrnorm\.|post_layernorm\.|head\.(probe$|attention\.))|^visual_projection\.",
        RegexOptions.CultureInvariant);
    private static readonly Regex ClipMarker = new(@"(^|\.)embeddings\.class_embedding$|(^|\.)pre_layrnorm\.|^(visual|text)_projection\.", RegexOptions.CultureInvariant);
    private static readonly Regex SiglipMarker = new(@"(^|\.)head\.(probe$|attention\.)|(^|\.)embeddings\.patch_embedding\.bias$|^logit_bias$", RegexOptions.CultureInvariant);

    /// <summary>Which of the ViT-family namings a key marks (ViT's own keys are shared by all three), or null.</summary>
    public static CheckpointNaming? VitFamilyMember(string key) =>
        DeitMarker.IsMatch(key) ? CheckpointNaming.HuggingFaceDeit : Dinov2Marker.IsMatch(key) ? CheckpointNaming.HuggingFaceDinov2 : null;

    /// <summary>Which of CLIP's and SigLIP's namings a key marks (their encoder keys are shared), or null.</summary>
    public static CheckpointNaming? ClipFamilyMember(string key) =>
        ClipMarker.IsMatch(key) ? CheckpointNaming.HuggingFaceClip : SiglipMarker.IsMatch(key) ? CheckpointNaming.HuggingFaceSiglip : null;

    // ViTModel's keys, which DeiT's and DINOv2's reuse for embeddings, attention and final norm.
    private static readonly (string Pattern, string Replacement)[] VitShared =
    [
        ($@"^{VitFamilyPrefix}embeddings\.cls_token$", "cls_token"),
        ($@"^{VitFamilyPrefix}embeddings\.position_embeddings$", "pos_embed"),
        ($@"^{VitFamilyPrefix}embeddings\.patch_embeddings\.projection\.(weight|bias)$", "patch_embed.proj.$1"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.attention\.output\.dense\.(weight|bias)$", "blocks.$1.attn.proj.$2"),
        ($@"^{VitFamilyPrefix}layernorm\.(weight|bias)$", "norm.$1"),
    ];

    // ViTLayer / DeiTLayer: layernorm_before, intermediate, output, layernorm_after.
    private static readonly (string Pattern, string Replacement)[] VitLayer =
    [
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.layernorm_before\.(weight|bias)$", "blocks.$1.norm1.$2"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.layernorm_after\.(weight|bias)$", "blocks.$1.norm2.$2"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.intermediate\.dense\.(weight|bias)$", "blocks.$1.mlp.fc1.$2"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.output\.dense\.(weight|bias)$", "blocks.$1.mlp.fc2.$2"),
        // ViTModel's and DeiTModel's pooler is Linear + Tanh on the class token after the final norm: the paper's pre-logits.
        ($@"^{VitFamilyPrefix}pooler\.dense\.(weight|bias)$", "pre_logits.fc.$1"),
        (@"^classifier\.(weight|bias)$", "head.$1"),
    ];

    public static readonly (Regex, string)[] VitRules = Rules([.. VitShared, .. VitLayer]);

    public static readonly (Regex, string)[] DeitRules = Rules(
    [
        .. VitShared, .. VitLayer,
        ($@"^{VitFamilyPrefix}embeddings\.distillation_token$", "dist_token"),
        // DeiTForImageClassificationWithTeacher: logits = (cls_classifier(class token) + distillation_classifier(distillation token)) / 2, timm's distilled inference.
        (@"^cls_classifier\.(weight|bias)$", "head.$1"),
        (@"^distillation_classifier\.(weight|bias)$", "head_dist.$1"),
    ]);

    public static readonly (Regex, string)[] Dinov2Rules = Rules(
    [
        .. VitShared,
        ($@"^{VitFamilyPrefix}embeddings\.register_tokens$", "reg_token"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.norm([12])\.(weight|bias)$", "blocks.$1.norm$2.$3"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.layer_scale([12])\.lambda1$", "blocks.$1.ls$2.gamma"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.mlp\.(fc[12])\.(weight|bias)$", "blocks.$1.mlp.$2.$3"),
        // Dinov2SwiGLUFFN (ViT-g): weights_in packs [x1; x2] and computes silu(x1) * x2, timm's SwiGLUPacked fc1.
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.mlp\.weights_in\.(weight|bias)$", "blocks.$1.mlp.fc1.$2"),
        ($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.mlp\.weights_out\.(weight|bias)$", "blocks.$1.mlp.fc2.$2"),
        // Dinov2ForImageClassification's classifier reads [class token; mean of patch tokens] (2 x width): it loads
        // nowhere (a wrong shape for timm's head) unless the classifier is reset.
        (@"^classifier\.(weight|bias)$", "head.$1"),
    ]);

    // CLIPEncoderLayer and SiglipEncoderLayer, and the vision transformer around them.
    private static readonly (string Pattern, string Replacement)[] ClipShared =
    [
        ($@"^{VisionPrefix}embeddings\.patch_embedding\.(weight|bias)$", "patch_embed.proj.$1"),
        ($@"^{VisionPrefix}embeddings\.position_embedding\.weight$", "pos_embed"),
        ($@"^{VisionPrefix}encoder\.layers\.(\d+)\.layer_norm([12])\.(weight|bias)$", "blocks.$1.norm$2.$3"),
        ($@"^{VisionPrefix}encoder\.layers\.(\d+)\.self_attn\.out_proj\.(weight|bias)$", "blocks.$1.attn.proj.$2"),
        ($@"^{VisionPrefix}encoder\.layers\.(\d+)\.mlp\.(fc[12])\.(weight|bias)$", "blocks.$1.mlp.$2.$3"),
        ($@"^{VisionPrefix}post_layernorm\.(weight|bias)$", "norm.$1"),
    ];

    public static readonly (Regex, string)[] ClipRules = Rules(
    [
        .. ClipShared,
        ($@"^{VisionPrefix}embeddings\.class_embedding$", "cls_token"),
        ($@"^{VisionPrefix}pre_layrnorm\.(weight|bias)$", "norm_pre.$1"),
        // CLIPVisionModelWithProjection / CLIPModel: the bias-free projection of the pooled features is timm's head.
        (@"^visual_projection\.weight$", "head.weight"),
    ]);

    public static readonly (Regex, string)[] SiglipRules = Rules(
    [
        .. ClipShared,
        // SiglipMultiheadAttentionPoolingHead is timm's AttentionPoolLatent (global_pool='map').
        ($@"^{VisionPrefix}head\.probe$", "attn_pool.latent"),
        ($@"^{VisionPrefix}head\.attention\.out_proj\.(weight|bias)$", "attn_pool.proj.$1"),
        ($@"^{VisionPrefix}head\.layernorm\.(weight|bias)$", "attn_pool.norm.$1"),
        ($@"^{VisionPrefix}head\.mlp\.(fc[12])\.(weight|bias)$", "attn_pool.mlp.$1.$2"),
        // SiglipForImageClassification: the mean of the normed tokens into a Linear, timm's global_pool='avg'.
        (@"^classifier\.(weight|bias)$", "head.$1"),
    ]);

    /// <summary>Separate query, key and value Linears, by naming: (pattern with layer, part and kind groups, part names in timm's q, k, v order).</summary>
    public static (Regex Pattern, string[] Parts)? QkvParts(CheckpointNaming naming) => naming switch
    {
        CheckpointNaming.HuggingFace or CheckpointNaming.HuggingFaceDeit or CheckpointNaming.HuggingFaceDinov2 =>
            (new Regex($@"^{VitFamilyPrefix}encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$", RegexOptions.CultureInvariant),
             ["query", "key", "value"]),
        CheckpointNaming.HuggingFaceClip or CheckpointNaming.HuggingFaceSiglip =>
            (new Regex($@"^{VisionPrefix}encoder\.layers\.(\d+)\.self_attn\.(q_proj|k_proj|v_proj)\.(weight|bias)$", RegexOptions.CultureInvariant),
             ["q_proj", "k_proj", "v_proj"]),
        _ => null,
    };

    /// <summary>SigLIP's attention-pooling in_proj (nn.MultiheadAttention's stacked q, k, v), split by <see cref="Reshape"/>.</summary>
    public static readonly Regex SiglipInProj = new($@"^{VisionPrefix}head\.attention\.in_proj_(weight|bias)$", RegexOptions.CultureInvariant);

    private static readonly Regex TextTower = new(@"^(text_model\.|text_projection\.|logit_scale$|logit_bias$)", RegexOptions.CultureInvariant);
    private static readonly Regex PositionIds = new($@"^{VisionPrefix}embeddings\.position_ids$", RegexOptions.CultureInvariant);
    private static readonly Regex MaskToken = new($@"^{VitFamilyPrefix}embeddings\.mask_token$", RegexOptions.CultureInvariant);
    private static readonly Regex SiglipVisionHead = new($@"^{VisionPrefix}head\.", RegexOptions.CultureInvariant);

    /// <summary>
    /// Why a checkpoint tensor is left out of the load, or null when it is loaded. Only tensors that the image model's
    /// forward pass provably never reads are left out.
    /// </summary>
    public static string? Ignored(CheckpointNaming naming, string key, Tensor tensor, ISet<string> keys)
    {
        switch (naming)
        {
            case CheckpointNaming.HuggingFaceDinov2 when MaskToken.IsMatch(key):
                return "Dinov2Embeddings reads mask_token only for bool_masked_pos, in pre-training";
            case CheckpointNaming.HuggingFaceClip or CheckpointNaming.HuggingFaceSiglip when TextTower.IsMatch(key):
                return "the text tower and the contrastive logit scale of CLIPModel/SiglipModel are not part of the image model";
            case CheckpointNaming.HuggingFaceClip or CheckpointNaming.HuggingFaceSiglip when PositionIds.IsMatch(key) && IsArange(tensor):
                return "position_ids, saved by transformers before 4.31, are 0..N-1, the order the position embedding already has";
            case CheckpointNaming.HuggingFaceSiglip when SiglipVisionHead.IsMatch(key) && keys.Contains("classifier.weight"):
                return "SiglipForImageClassification classifies the mean of the tokens and never uses the vision tower's attention-pooling head";
            default:
                return null;
        }
    }

    private static bool IsArange(Tensor ids)
    {
        if (ids.dtype is not (ScalarType.Int64 or ScalarType.Int32) || ids.dim() != 2 || ids.shape[0] != 1) return false;
        using var scope = NewDisposeScope();
        return ids.to(ScalarType.Int64).eq(torch.arange(ids.shape[1], ScalarType.Int64).unsqueeze(0)).all().item<bool>();
    }

    /// <summary>
    /// The shape changes and splits that follow the renaming, on tensors already under timm's keys: CLIP's class embedding
    /// [D] and CLIP/SigLIP's position embedding [N, D] get timm's batch dimensions; SigLIP's attention-pooling in_proj
    /// [3D, ...] becomes timm's q [D, ...] and kv [2D, ...]; DINOv2 with registers' class-token position row moves into the
    /// class token (timm's checkpoint_filter_fn: timm's register models have no position rows for prefix tokens); CLIP's
    /// bias-free projection gets timm's head a zero bias. A tensor of an unexpected shape is left as it is, for strict
    /// loading to report.
    /// </summary>
    public static void Reshape(CheckpointNaming naming, Dictionary<string, Tensor> tensors, Dictionary<string, string> sources,
                               IReadOnlyDictionary<string, (string Key, Tensor Tensor)> inProjections, Action<string, Tensor, string> add)
    {
        void Replace(string key, Tensor tensor, string source) { tensors[key] = tensor; sources[key] = source; }

        if (naming is CheckpointNaming.HuggingFaceClip or CheckpointNaming.HuggingFaceSiglip)
        {
            if (naming == CheckpointNaming.HuggingFaceClip && tensors.TryGetValue("cls_token", out var cls) && cls.dim() == 1)
                Replace("cls_token", cls.reshape(1, 1, cls.shape[0]), sources["cls_token"] + " as [1,1,D]");
            if (tensors.TryGetValue("pos_embed", out var pos) && pos.dim() == 2)
                Replace("pos_embed", pos.unsqueeze(0), sources["pos_embed"] + " as [1,N,D]");
            if (naming == CheckpointNaming.HuggingFaceClip && tensors.TryGetValue("head.weight", out var projection) && projection.dim() == 2
                && !tensors.ContainsKey("head.bias"))
                add("head.bias", torch.zeros(projection.shape[0], projection.dtype, projection.device), "none: visual_projection has no bias (zeros, as timm loads it)");
        }
        if (naming == CheckpointNaming.HuggingFaceSiglip)
        {
            foreach (var (kind, (original, inProj)) in inProjections)
            {
                if (inProj.dim() < 1 || inProj.shape[0] % 3 != 0)
                {
                    add(original, inProj, original); // reported as unexpected
                    continue;
                }
                long width = inProj.shape[0] / 3;
                // nn.MultiheadAttention's in_proj stacks [q; k; v]; timm's AttentionPoolLatent has q and a fused kv.
                add($"attn_pool.q.{kind}", inProj.narrow(0, 0, width), $"{original}[:{width}]");
                add($"attn_pool.kv.{kind}", inProj.narrow(0, width, 2 * width), $"{original}[{width}:]");
            }
        }
        if (naming == CheckpointNaming.HuggingFaceDinov2 && tensors.ContainsKey("reg_token")
            && tensors.TryGetValue("cls_token", out var classToken) && tensors.TryGetValue("pos_embed", out var positions)
            && classToken.dim() == 3 && positions.dim() == 3 && positions.shape[0] == 1 && positions.shape[1] >= 2
            && classToken.shape.SequenceEqual(new[] { 1L, 1L, positions.shape[2] }) && classToken.dtype == positions.dtype)
        {
            // Dinov2WithRegistersEmbeddings adds position row 0 to the class token before the registers are inserted, and
            // the rest to the patches: timm keeps neither prefix token in its position embedding.
            string clsSource = sources["cls_token"], posSource = sources["pos_embed"];
            Replace("cls_token", classToken + positions.narrow(1, 0, 1), $"{clsSource} + {posSource}[:, 0]");
            Replace("pos_embed", positions.narrow(1, 1, positions.shape[1] - 1), $"{posSource}[:, 1:]");
        }
    }

    /// <summary>A key that is refused whatever the model: its meaning differs from every timm tensor of the same shape.</summary>
    public static string? Refused(CheckpointNaming naming, string key) =>
        naming == CheckpointNaming.HuggingFaceClip && key.StartsWith("classifier.", StringComparison.Ordinal)
            ? "CLIPForImageClassification classifies the mean of the patch tokens without the final norm, which timm's CLIP models do not compute; " +
              "load its vision tower alone (CLIPVisionModel keys), or remove 'classifier.*' and load with Classifier = ClassifierLoading.Reset"
            : null;

    /// <summary>The naming transformers' config.json <c>model_type</c> stands for, or null for a model type this library does not read.</summary>
    public static CheckpointNaming? FromModelType(string? modelType) => modelType switch
    {
        "vit" => CheckpointNaming.HuggingFace,
        "deit" => CheckpointNaming.HuggingFaceDeit,
        "dinov2" or "dinov2_with_registers" => CheckpointNaming.HuggingFaceDinov2,
        "clip" or "clip_vision_model" => CheckpointNaming.HuggingFaceClip,
        "siglip" or "siglip_vision_model" => CheckpointNaming.HuggingFaceSiglip,
        _ => null,
    };

    /// <summary>The naming's name in messages.</summary>
    public static string Describe(CheckpointNaming naming) => naming switch
    {
        CheckpointNaming.Timm => "timm",
        CheckpointNaming.Torchvision => "torchvision",
        CheckpointNaming.HuggingFace => "Hugging Face ViT",
        CheckpointNaming.HuggingFaceDeit => "Hugging Face DeiT",
        CheckpointNaming.HuggingFaceDinov2 => "Hugging Face DINOv2",
        CheckpointNaming.HuggingFaceClip => "Hugging Face CLIP",
        CheckpointNaming.HuggingFaceSiglip => "Hugging Face SigLIP",
        _ => naming.ToString(),
    };

    private static (Regex, string)[] Rules((string Pattern, string Replacement)[] rules) =>
        rules.Select(r => (new Regex(r.Pattern, RegexOptions.CultureInvariant), r.Replacement)).ToArray();
}
