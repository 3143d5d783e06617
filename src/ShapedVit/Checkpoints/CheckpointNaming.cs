using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Checkpoints;

/// <summary>The key conventions of Vision Transformer checkpoints this library reads.</summary>
public enum CheckpointNaming
{
    /// <summary>timm's <c>VisionTransformer</c> (this library's own state_dict keys).</summary>
    Timm,
    /// <summary>torchvision's <c>VisionTransformer</c> (<c>conv_proj</c>, <c>encoder.layers.encoder_layer_{i}</c>...).</summary>
    Torchvision,
    /// <summary>Hugging Face transformers' <c>ViTModel</c> / <c>ViTForImageClassification</c> (<c>vit.embeddings</c>...).</summary>
    HuggingFace,
    /// <summary>
    /// Hugging Face transformers' <c>DeiTModel</c>, <c>DeiTForImageClassification</c> and <c>DeiTForImageClassificationWithTeacher</c>
    /// (<c>deit.embeddings.distillation_token</c>, <c>cls_classifier</c>, <c>distillation_classifier</c>: facebook/deit-*-distilled-*).
    /// </summary>
    HuggingFaceDeit,
    /// <summary>
    /// Hugging Face transformers' <c>Dinov2Model</c> and <c>Dinov2WithRegistersModel</c> (<c>embeddings.mask_token</c>,
    /// <c>encoder.layer.{i}.layer_scale1.lambda1</c>...: facebook/dinov2-*); <c>dinov2.</c> inside <c>Dinov2ForImageClassification</c>.
    /// </summary>
    HuggingFaceDinov2,
    /// <summary>
    /// The vision tower of Hugging Face transformers' <c>CLIPModel</c>, <c>CLIPVisionModel</c> and <c>CLIPVisionModelWithProjection</c>
    /// (<c>vision_model.embeddings.class_embedding</c>, <c>pre_layrnorm</c>, <c>visual_projection</c>: openai/clip-vit-*).
    /// </summary>
    HuggingFaceClip,
    /// <summary>
    /// The vision tower of Hugging Face transformers' <c>SiglipModel</c>, <c>SiglipVisionModel</c> and <c>SiglipForImageClassification</c>
    /// (<c>vision_model.head.probe</c>, the attention-pooling head: google/siglip-*).
    /// </summary>
    HuggingFaceSiglip,
}

/// <summary>A checkpoint's tensors renamed to timm's keys, with the key each came from.</summary>
public sealed class TimmKeyedTensors
{
    internal TimmKeyedTensors(CheckpointNaming naming, Dictionary<string, Tensor> tensors, Dictionary<string, string> sources, IReadOnlyList<string> ignored)
    {
        Naming = naming; Tensors = tensors; SourceKeys = sources; IgnoredTensors = ignored;
    }

    /// <summary>The naming the keys were converted from.</summary>
    public CheckpointNaming Naming { get; }
    /// <summary>Tensors by timm key. Tensors made by the conversion (a concatenated qkv) belong to the caller's dispose scope.</summary>
    public Dictionary<string, Tensor> Tensors { get; }
    /// <summary>For each timm key, the checkpoint key(s) it was made from (for error messages).</summary>
    public Dictionary<string, string> SourceKeys { get; }
    /// <summary>
    /// Checkpoint tensors left out because the image model provably never reads them (a CLIP or SigLIP text tower, DINOv2's
    /// pre-training mask token...), each as "key [shape]: why".
    /// </summary>
    public IReadOnlyList<string> IgnoredTensors { get; }
}

/// <summary>Recognises a checkpoint's key naming and converts it to timm's.</summary>
public static class CheckpointKeys
{
    // Wrappers added by DistributedDataParallel (module.) and by training frameworks (model.) around the network's keys.
    private static readonly string[] WrapperPrefixes = ["module.", "model."];

    private static readonly Regex TorchvisionSignature = new(@"^(conv_proj\.|class_token$|encoder\.pos_embedding$|encoder\.layers\.encoder_layer_\d+\.)", RegexOptions.CultureInvariant);
    private static readonly Regex TimmSignature = new(@"^(patch_embed\.|cls_token$|reg_token$|dist_token$|pos_embed$|blocks\.\d+\.)", RegexOptions.CultureInvariant);

    private static readonly (Regex Pattern, string Replacement)[] TorchvisionRules = Rules(
        (@"^conv_proj\.(weight|bias)$", "patch_embed.proj.$1"),
        (@"^class_token$", "cls_token"),
        (@"^encoder\.pos_embedding$", "pos_embed"),
        (@"^encoder\.layers\.encoder_layer_(\d+)\.ln_1\.(weight|bias)$", "blocks.$1.norm1.$2"),
        (@"^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.in_proj_(weight|bias)$", "blocks.$1.attn.qkv.$2"),
        (@"^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.out_proj\.(weight|bias)$", "blocks.$1.attn.proj.$2"),
        (@"^encoder\.layers\.encoder_layer_(\d+)\.ln_2\.(weight|bias)$", "blocks.$1.norm2.$2"),
        // mlp.0 / mlp.3 since torchvision 0.13; linear_1 / linear_2 before (torchvision itself still accepts both).
        (@"^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:0|linear_1)\.(weight|bias)$", "blocks.$1.mlp.fc1.$2"),
        (@"^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:3|linear_2)\.(weight|bias)$", "blocks.$1.mlp.fc2.$2"),
        (@"^encoder\.ln\.(weight|bias)$", "norm.$1"),
        (@"^heads\.pre_logits\.(weight|bias)$", "pre_logits.fc.$1"),
        (@"^heads\.head\.(weight|bias)$", "head.$1"));

    /// <summary>
    /// The naming of a set of keys (wrapper prefixes already removed). Keys of no known naming count as timm's, so
    /// strict loading can list them as unexpected; keys of two namings at once are an error that names a key of each.
    /// </summary>
    public static CheckpointNaming Detect(IEnumerable<string> keys, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // The ordinally first key of each naming, for a message that does not depend on the file's order.
        var found = new SortedDictionary<CheckpointNaming, string>();
        void Found(CheckpointNaming naming, string key)
        {
            if (!found.TryGetValue(naming, out var seen) || string.CompareOrdinal(key, seen) < 0) found[naming] = key;
        }
        static string First(string? seen, string key) => seen is null || string.CompareOrdinal(key, seen) < 0 ? key : seen;
        string? vitFamily = null, clipFamily = null;
        foreach (var key in keys)
        {
            if (TorchvisionSignature.IsMatch(key)) Found(CheckpointNaming.Torchvision, key);
            if (TimmSignature.IsMatch(key)) Found(CheckpointNaming.Timm, key);
            if (HuggingFaceNamings.VitFamilySignature.IsMatch(key) || HuggingFaceNamings.VitFamilyMember(key) is not null)
            {
                vitFamily = First(vitFamily, key);
                if (HuggingFaceNamings.VitFamilyMember(key) is { } member) Found(member, key);
            }
            if (HuggingFaceNamings.ClipFamilySignature.IsMatch(key))
            {
                clipFamily = First(clipFamily, key);
                if (HuggingFaceNamings.ClipFamilyMember(key) is { } member) Found(member, key);
            }
        }
        // ViTModel's keys are shared by DeiT's and DINOv2's; CLIP's and SigLIP's encoders share theirs. The family's
        // shared keys alone are ViT's, or SigLIP's (CLIP's tower always has its class embedding and pre-norm).
        if (vitFamily is not null && !found.ContainsKey(CheckpointNaming.HuggingFaceDeit) && !found.ContainsKey(CheckpointNaming.HuggingFaceDinov2))
            Found(CheckpointNaming.HuggingFace, vitFamily);
        if (clipFamily is not null && !found.ContainsKey(CheckpointNaming.HuggingFaceClip) && !found.ContainsKey(CheckpointNaming.HuggingFaceSiglip))
            Found(CheckpointNaming.HuggingFaceSiglip, clipFamily);
        if (found.Count > 1)
            throw new CheckpointException(CheckpointRule.UnknownNaming, null,
                $"the keys mix namings ({string.Join(", ", found.Keys.Select(HuggingFaceNamings.Describe))}): " +
                string.Join(", ", found.Select(f => $"'{UntrustedText.Display(f.Value, 80)}' is {HuggingFaceNamings.Describe(f.Key)}'s")) + ".", path);
        return found.Count == 1 ? found.Keys.First() : CheckpointNaming.Timm;
    }

    /// <summary>
    /// The naming that transformers' <c>config.json</c> <c>model_type</c> stands for (<c>vit</c>, <c>deit</c>, <c>dinov2</c>,
    /// <c>dinov2_with_registers</c>, <c>clip</c>, <c>clip_vision_model</c>, <c>siglip</c>, <c>siglip_vision_model</c>), or null
    /// for any other: pass it as <see cref="CheckpointLoadOptions.Naming"/> to load by the config instead of detecting from the keys.
    /// </summary>
    public static CheckpointNaming? FromModelType(string? modelType) => HuggingFaceNamings.FromModelType(modelType);

    /// <summary>
    /// Removes <c>module.</c> / <c>model.</c> wrappers shared by every key, detects the naming (unless given) and renames to timm's
    /// keys: Hugging Face's separate query, key and value become one concatenated qkv, shapes become timm's (see
    /// <see cref="CheckpointNaming"/>), and tensors the image model never reads are set aside in
    /// <see cref="TimmKeyedTensors.IgnoredTensors"/>. Keys that no rule covers keep their names (strict loading then reports them).
    /// </summary>
    public static TimmKeyedTensors ToTimm(IReadOnlyDictionary<string, Tensor> tensors, CheckpointNaming? naming = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var stripped = StripWrappers(tensors);
        var detected = naming ?? Detect(stripped.Keys, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();

        void Add(string key, Tensor tensor, string source)
        {
            if (!result.TryAdd(key, tensor))
                throw new CheckpointException(CheckpointRule.DuplicateKey, key, $"two checkpoint keys map to it: '{sources[key]}' and '{source}'.", path);
            sources[key] = source;
        }

        var rules = detected switch
        {
            CheckpointNaming.Torchvision => TorchvisionRules,
            CheckpointNaming.HuggingFace => HuggingFaceNamings.VitRules,
            CheckpointNaming.HuggingFaceDeit => HuggingFaceNamings.DeitRules,
            CheckpointNaming.HuggingFaceDinov2 => HuggingFaceNamings.Dinov2Rules,
            CheckpointNaming.HuggingFaceClip => HuggingFaceNamings.ClipRules,
            CheckpointNaming.HuggingFaceSiglip => HuggingFaceNamings.SiglipRules,
            _ => [],
        };
        var qkvPattern = HuggingFaceNamings.QkvParts(detected);
        var qkvParts = new SortedDictionary<(int Layer, string Kind), Dictionary<string, (string Key, Tensor Tensor)>>();
        var inProjections = new SortedDictionary<string, (string Key, Tensor Tensor)>(StringComparer.Ordinal);
        var keys = new HashSet<string>(stripped.Keys, StringComparer.Ordinal);
        foreach (var (key, (original, tensor)) in stripped.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (HuggingFaceNamings.Refused(detected, key) is { } refusal)
                throw new CheckpointException(CheckpointRule.KeyMismatch, original, refusal + "; nothing was loaded.", path);
            if (HuggingFaceNamings.Ignored(detected, key, tensor, keys) is { } why)
            {
                ignored.Add($"{original} {TensorShapes.Format(tensor.shape)}: {why}");
                continue;
            }
            if (qkvPattern is { } q && q.Pattern.Match(key) is { Success: true } qkv && int.TryParse(qkv.Groups[1].Value, out int layer))
            {
                var slot = (layer, qkv.Groups[3].Value);
                if (!qkvParts.TryGetValue(slot, out var parts)) qkvParts[slot] = parts = new Dictionary<string, (string, Tensor)>();
                parts[qkv.Groups[2].Value] = (original, tensor);
                continue;
            }
            if (detected == CheckpointNaming.HuggingFaceSiglip && HuggingFaceNamings.SiglipInProj.Match(key) is { Success: true } inProj)
            {
                inProjections[inProj.Groups[1].Value] = (original, tensor);
                continue;
            }
            Add(Rename(key, rules), tensor, original);
        }
        var partNames = qkvPattern?.Parts ?? [];
        foreach (var ((layer, kind), parts) in qkvParts)
        {
            bool complete = partNames.All(parts.ContainsKey);
            var shapes = parts.Values.Select(p => p.Tensor.shape).ToList();
            bool concatenable = complete && shapes[0].Length >= 1 && shapes.All(s => s.SequenceEqual(shapes[0]))
                                && parts.Values.All(p => p.Tensor.dtype == parts[partNames[0]].Tensor.dtype);
            if (!concatenable)
            {
                // Left under their own names, they are reported as unexpected (and qkv as missing) by strict loading.
                foreach (var (_, (original, tensor)) in parts) Add(original, tensor, original);
                continue;
            }
            // timm's fused qkv Linear computes [q; k; v] stacked along the output dimension.
            var fused = torch.cat(partNames.Select(p => parts[p].Tensor).ToArray(), 0);
            Add($"blocks.{layer}.attn.qkv.{kind}", fused, $"{parts[partNames[0]].Key} + {partNames[1]} + {partNames[2]}");
        }
        HuggingFaceNamings.Reshape(detected, result, sources, inProjections, Add);
        return new TimmKeyedTensors(detected, result, sources, ignored);
    }

    private static Dictionary<string, (string Original, Tensor Tensor)> StripWrappers(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var keys = tensors.Keys.ToList();
        int cut = 0;
        bool again = keys.Count > 0;
        while (again)
        {
            again = false;
            foreach (var prefix in WrapperPrefixes)
            {
                if (keys.All(k => k.Length > cut + prefix.Length && string.CompareOrdinal(k, cut, prefix, 0, prefix.Length) == 0))
                {
                    cut += prefix.Length;
                    again = true;
                }
            }
        }
        return tensors.ToDictionary(p => p.Key[cut..], p => (p.Key, p.Value), StringComparer.Ordinal);
    }

    private static string Rename(string key, (Regex Pattern, string Replacement)[] rules)
    {
        foreach (var (pattern, replacement) in rules)
            if (pattern.IsMatch(key)) return pattern.Replace(key, replacement);
        return key;
    }

    private static (Regex, string)[] Rules(params (string Pattern, string Replacement)[] rules) =>
        rules.Select(r => (new Regex(r.Pattern, RegexOptions.CultureInvariant), r.Replacement)).ToArray();
}
