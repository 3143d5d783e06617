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
}

/// <summary>A checkpoint's tensors renamed to timm's keys, with the key each came from.</summary>
public sealed class TimmKeyedTensors
{
    internal TimmKeyedTensors(CheckpointNaming naming, Dictionary<string, Tensor> tensors, Dictionary<string, string> sources)
    {
        Naming = naming; Tensors = tensors; SourceKeys = sources;
    }

    /// <summary>The naming the keys were converted from.</summary>
    public CheckpointNaming Naming { get; }
    /// <summary>Tensors by timm key. Tensors made by the conversion (a concatenated qkv) belong to the caller's dispose scope.</summary>
    public Dictionary<string, Tensor> Tensors { get; }
    /// <summary>For each timm key, the checkpoint key(s) it was made from (for error messages).</summary>
    public Dictionary<string, string> SourceKeys { get; }
}

/// <summary>Recognises a checkpoint's key naming and converts it to timm's.</summary>
public static class CheckpointKeys
{
    // Wrappers added by DistributedDataParallel (module.) and by training frameworks (model.) around the network's keys.
    private static readonly string[] WrapperPrefixes = ["module.", "model."];

    private static readonly Regex TorchvisionSignature = new(@"^(conv_proj\.|class_token$|encoder\.pos_embedding$|encoder\.layers\.encoder_layer_\d+\.)", RegexOptions.CultureInvariant);
    private static readonly Regex HuggingFaceSignature = new(@"^(vit\.)?(embeddings\.(cls_token|position_embeddings|patch_embeddings\.)|encoder\.layer\.\d+\.)", RegexOptions.CultureInvariant);
    private static readonly Regex TimmSignature = new(@"^(patch_embed\.|cls_token$|reg_token$|pos_embed$|blocks\.\d+\.)", RegexOptions.CultureInvariant);

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

    private static readonly (Regex Pattern, string Replacement)[] HuggingFaceRules = Rules(
        (@"^(?:vit\.)?embeddings\.cls_token$", "cls_token"),
        (@"^(?:vit\.)?embeddings\.position_embeddings$", "pos_embed"),
        (@"^(?:vit\.)?embeddings\.patch_embeddings\.projection\.(weight|bias)$", "patch_embed.proj.$1"),
        (@"^(?:vit\.)?encoder\.layer\.(\d+)\.layernorm_before\.(weight|bias)$", "blocks.$1.norm1.$2"),
        (@"^(?:vit\.)?encoder\.layer\.(\d+)\.attention\.output\.dense\.(weight|bias)$", "blocks.$1.attn.proj.$2"),
        (@"^(?:vit\.)?encoder\.layer\.(\d+)\.layernorm_after\.(weight|bias)$", "blocks.$1.norm2.$2"),
        (@"^(?:vit\.)?encoder\.layer\.(\d+)\.intermediate\.dense\.(weight|bias)$", "blocks.$1.mlp.fc1.$2"),
        (@"^(?:vit\.)?encoder\.layer\.(\d+)\.output\.dense\.(weight|bias)$", "blocks.$1.mlp.fc2.$2"),
        (@"^(?:vit\.)?layernorm\.(weight|bias)$", "norm.$1"),
        // ViTModel's pooler is Linear + Tanh on the class token after the final norm: the paper's pre-logits.
        (@"^(?:vit\.)?pooler\.dense\.(weight|bias)$", "pre_logits.fc.$1"),
        (@"^classifier\.(weight|bias)$", "head.$1"));

    private static readonly Regex HuggingFaceQkv = new(@"^(?:vit\.)?encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The naming of a set of keys (wrapper prefixes already removed). Keys of no known naming count as timm's, so
    /// strict loading can list them as unexpected; keys of two namings at once are an error.
    /// </summary>
    public static CheckpointNaming Detect(IEnumerable<string> keys, string? path = null)
    {
        bool torchvision = false, huggingFace = false, timm = false;
        foreach (var key in keys)
        {
            torchvision |= TorchvisionSignature.IsMatch(key);
            huggingFace |= HuggingFaceSignature.IsMatch(key);
            timm |= TimmSignature.IsMatch(key);
        }
        int found = (torchvision ? 1 : 0) + (huggingFace ? 1 : 0) + (timm ? 1 : 0);
        if (found > 1)
            throw new CheckpointException(CheckpointRule.UnknownNaming, null,
                $"the keys mix namings ({string.Join(", ", new[] { timm ? "timm" : null, torchvision ? "torchvision" : null, huggingFace ? "Hugging Face" : null }.Where(n => n is not null))}).", path);
        return torchvision ? CheckpointNaming.Torchvision : huggingFace ? CheckpointNaming.HuggingFace : CheckpointNaming.Timm;
    }

    /// <summary>
    /// Removes <c>module.</c> / <c>model.</c> wrappers shared by every key, detects the naming (unless given) and renames to timm's
    /// keys; Hugging Face's separate query, key and value become one concatenated qkv. Keys that no rule covers keep their
    /// names (strict loading then reports them).
    /// </summary>
    public static TimmKeyedTensors ToTimm(IReadOnlyDictionary<string, Tensor> tensors, CheckpointNaming? naming = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var stripped = StripWrappers(tensors);
        var detected = naming ?? Detect(stripped.Keys, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);

        void Add(string key, Tensor tensor, string source)
        {
            if (!result.TryAdd(key, tensor))
                throw new CheckpointException(CheckpointRule.DuplicateKey, key, $"two checkpoint keys map to it: '{sources[key]}' and '{source}'.", path);
            sources[key] = source;
        }

        var rules = detected switch
        {
            CheckpointNaming.Torchvision => TorchvisionRules,
            CheckpointNaming.HuggingFace => HuggingFaceRules,
            _ => [],
        };
        var qkvParts = new SortedDictionary<(int Layer, string Kind), Dictionary<string, (string Key, Tensor Tensor)>>();
        foreach (var (key, (original, tensor)) in stripped)
        {
            if (detected == CheckpointNaming.HuggingFace && HuggingFaceQkv.Match(key) is { Success: true } qkv &&
                int.TryParse(qkv.Groups[1].Value, out int layer))
            {
                var slot = (layer, qkv.Groups[3].Value);
                if (!qkvParts.TryGetValue(slot, out var parts)) qkvParts[slot] = parts = new Dictionary<string, (string, Tensor)>();
                parts[qkv.Groups[2].Value] = (original, tensor);
                continue;
            }
            Add(Rename(key, rules), tensor, original);
        }
        foreach (var ((layer, kind), parts) in qkvParts)
        {
            bool complete = parts.ContainsKey("query") && parts.ContainsKey("key") && parts.ContainsKey("value");
            var shapes = parts.Values.Select(p => p.Tensor.shape).ToList();
            bool concatenable = complete && shapes[0].Length >= 1 && shapes.All(s => s.SequenceEqual(shapes[0]))
                                && parts.Values.All(p => p.Tensor.dtype == parts["query"].Tensor.dtype);
            if (!concatenable)
            {
                // Left under their own names, they are reported as unexpected (and qkv as missing) by strict loading.
                foreach (var (_, (original, tensor)) in parts) Add(original, tensor, original);
                continue;
            }
            // timm's fused qkv Linear computes [q; k; v] stacked along the output dimension.
            var fused = torch.cat(new[] { parts["query"].Tensor, parts["key"].Tensor, parts["value"].Tensor }, 0);
            Add($"blocks.{layer}.attn.qkv.{kind}", fused, $"{parts["query"].Key} + key + value");
        }
        return new TimmKeyedTensors(detected, result, sources);
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
