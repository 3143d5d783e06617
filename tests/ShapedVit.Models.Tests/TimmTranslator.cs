using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ShapedVit.Models.Tests;

/// <summary>One architecture of tests/Fixtures/timm/timm_catalogue.json, as timm's registry recorded it.</summary>
public sealed record TimmEntry(string Name, string TimmClass, string Family, string DefaultTag, JsonObject Kwargs,
                               IReadOnlyList<JsonObject> Pretrained, JsonObject? DefaultCfg)
{
    /// <summary>The pretrained_cfg a bare name builds with: the default tag's, or default_cfg where it has no weights.</summary>
    public JsonObject DefaultConfig =>
        DefaultCfg ?? Pretrained.FirstOrDefault(p => (string)p["name"]! == $"{Name}.{DefaultTag}")
        ?? throw new InvalidDataException($"{Name}: the default tag '{DefaultTag}' has no pretrained_cfg.");
}

/// <summary>A translated architecture: its C# declaration and the VitSpec the generator must read from it.</summary>
public sealed record TimmDeclaration(TimmEntry Entry, string ClassName, string Source, VitSpec Spec);

/// <summary>
/// Translates timm's constructor arguments into ShapedVit declarations, one option at a time, with each timm class's own
/// defaults (timm/models/vision_transformer.py, deit.py, eva.py at the catalogue's commit). A kwarg it does not know, or a
/// value it cannot express, throws: nothing is silently left out. The catalogue's checked-in files under
/// src/ShapedVit.Models/Catalogue are its output (CatalogueSnapshotTests).
/// </summary>
public static class TimmTranslator
{
    public static string CataloguePath => Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "tests", "Fixtures", "timm", "timm_catalogue.json");

    /// <summary>The families, in the order of the issue, with the file each is written to.</summary>
    public static readonly IReadOnlyList<(string Family, string File, string Title)> Families =
    [
        ("vit", "Vit.cs", "the original ViT (Dosovitskiy et al.; timm's augreg, MIIL, DINO and MAE weights)"),
        ("vit-gap", "VitGap.cs", "ViT with average pooling, and with register tokens (timm's SBB weights)"),
        ("deit", "Deit.cs", "DeiT and DeiT distilled (Touvron et al., 2021)"),
        ("deit3", "Deit3.cs", "DeiT-III (Touvron et al., 2022)"),
        ("clip", "Clip.cs", "CLIP image towers (OpenAI, LAION, DataComp, DFN, MetaCLIP, TinyCLIP)"),
        ("clip-quickgelu", "ClipQuickGelu.cs", "CLIP image towers with QuickGELU"),
        ("siglip", "Siglip.cs", "SigLIP and SigLIP 2 image towers"),
        ("dinov2", "Dinov2.cs", "DINOv2, with and without registers"),
        ("eva02", "Eva02.cs", "EVA-02 (MIM, fine-tuned and CLIP)"),
    ];

    public static (string Version, string Commit, IReadOnlyList<TimmEntry> Entries) Load(string? path = null)
    {
        var root = JsonNode.Parse(File.ReadAllText(path ?? CataloguePath))!.AsObject();
        var entries = root["architectures"]!.AsObject().Select(p =>
        {
            var a = p.Value!.AsObject();
            foreach (var key in a.Select(k => k.Key))
                if (key is not ("class" or "family" or "default_tag" or "kwargs" or "pretrained" or "variant" or "default_cfg"))
                    throw new InvalidDataException($"{p.Key}: unknown field '{key}' in the catalogue.");
            return new TimmEntry(p.Key, (string)a["class"]!, (string)a["family"]!, (string)a["default_tag"]!, a["kwargs"]!.AsObject(),
                                 a["pretrained"]!.AsArray().Select(t => t!.AsObject()).ToArray(), a["default_cfg"]?.AsObject());
        }).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        return ((string)root["timm_version"]!, (string)root["timm_commit"]!, entries);
    }

    /// <summary>timm's name in PascalCase: vit_small_patch14_dinov2 -> VitSmallPatch14Dinov2; an underscore stays between two digits (VitBasePatch16_224).</summary>
    public static string ClassName(string name)
    {
        var result = new StringBuilder();
        foreach (var part in name.Split('_'))
        {
            if (result.Length > 0 && char.IsDigit(result[^1]) && char.IsDigit(part[0])) result.Append('_');
            result.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }
        return result.ToString();
    }

    public static TimmDeclaration Translate(TimmEntry entry)
    {
        var kwargs = new Kwargs(entry);
        var cfg = entry.DefaultConfig;
        var inputSize = cfg["input_size"]!.AsArray().Select(v => (int)v!).ToArray();
        foreach (var tag in entry.Pretrained)
        {
            var size = tag["input_size"]!.AsArray().Select(v => (int)v!).ToArray();
            if (!size.SequenceEqual(inputSize))
                throw new InvalidDataException($"{tag["name"]}: input size [{string.Join(",", size)}] differs from the default tag's; one declaration cannot build both.");
        }
        bool eva = entry.TimmClass == "Eva";
        if (!eva && entry.TimmClass is not ("VisionTransformer" or "VisionTransformerDistilled"))
            throw new InvalidDataException($"{entry.Name}: timm class {entry.TimmClass} has no translation.");

        // Geometry. timm's builder fills img_size from the pretrained_cfg's input_size where the kwargs leave it out
        // (_update_default_model_kwargs; the ViT and DeiT configs are fixed_input_size).
        var (height, width) = kwargs.Size("img_size") ?? (inputSize[1], inputSize[2]);
        if (inputSize[0] != 3) throw new InvalidDataException($"{entry.Name}: {inputSize[0]} input channels.");
        var (patchHeight, patchWidth) = kwargs.Size("patch_size") ?? (16, 16);
        int embed = kwargs.Int("embed_dim") ?? 768;
        int depth = kwargs.Int("depth") ?? 12;
        int heads = kwargs.Int("num_heads") ?? 12;
        double mlpRatio = kwargs.Double("mlp_ratio") ?? 4.0;
        int hidden = (int)(embed * mlpRatio);   // Python's int(dim * mlp_ratio), truncated as timm's blocks do
        bool dynamic = kwargs.Bool("dynamic_img_size") ?? false;

        // Prefix tokens and position embedding.
        bool classToken = kwargs.Bool("class_token") ?? true;
        int registers = eva ? kwargs.Int("num_reg_tokens") ?? 0 : kwargs.Int("reg_tokens") ?? 0;
        bool distillation = entry.TimmClass == "VisionTransformerDistilled";
        bool includePrefix = !(kwargs.Bool("no_embed_class") ?? false);
        var positionKind = PositionEmbeddingKind.Learned;
        if (eva)
        {
            if (!(kwargs.Bool("use_abs_pos_emb") ?? true)) positionKind = PositionEmbeddingKind.None;
        }
        else
        {
            string pos = kwargs.String("pos_embed") ?? "learn";
            positionKind = pos switch
            {
                "learn" => PositionEmbeddingKind.Learned,
                "none" or "" => PositionEmbeddingKind.None,
                _ => throw kwargs.Unsupported("pos_embed"),
            };
        }

        // Pooling and the final norm (timm: fc_norm defaults to global_pool == 'avg'; final_norm puts it on the tokens otherwise).
        string pool = kwargs.String("global_pool") ?? (eva ? "avg" : "token");
        var pooling = pool switch
        {
            "token" => Pooling.ClassToken,
            "avg" => Pooling.Mean,
            "map" => Pooling.AttentionPool,
            _ => throw kwargs.Unsupported("global_pool"),
        };
        bool defaultFcNorm = pool == "avg";
        bool? fcNormArgument = eva ? kwargs.Bool("use_fc_norm") : kwargs.Bool("fc_norm");
        bool useFcNorm = fcNormArgument ?? defaultFcNorm;
        FinalNorm finalNormPlace;
        if (eva)
        {
            // Eva: norm after the blocks unless fc_norm is on (use_post_transformer_norm overrides); both at once has no translation.
            bool postNorm = kwargs.Bool("use_post_transformer_norm") ?? !useFcNorm;
            if (postNorm && useFcNorm) throw kwargs.Unsupported("use_post_transformer_norm");
            finalNormPlace = !postNorm && !useFcNorm ? FinalNorm.None : useFcNorm == defaultFcNorm ? FinalNorm.Auto : useFcNorm ? FinalNorm.AfterPooling : FinalNorm.BeforePooling;
        }
        else
        {
            // timm's VisionTransformer: norm = final_norm and not use_fc_norm, fc_norm = final_norm and use_fc_norm.
            bool finalNorm = kwargs.Bool("final_norm") ?? true;
            finalNormPlace = !finalNorm ? FinalNorm.None : useFcNorm == defaultFcNorm ? FinalNorm.Auto : useFcNorm ? FinalNorm.AfterPooling : FinalNorm.BeforePooling;
        }

        // Norms.
        bool preNorm = eva ? kwargs.Bool("use_pre_transformer_norm") ?? false : kwargs.Bool("pre_norm") ?? false;
        bool patchBias = !preNorm;   // timm: PatchEmbed(bias=not pre_norm), CLIP's towers have no patch bias
        var (normKind, eps) = kwargs.NormLayer();

        // Attention.
        bool qkvBias = kwargs.Bool("qkv_bias") ?? true;
        bool qkNorm = kwargs.Bool("qk_norm") ?? false;
        bool separate = eva && !(kwargs.Bool("qkv_fused") ?? true);
        bool attentionInnerNorm = eva && (kwargs.Bool("scale_attn_inner") ?? false);
        bool rotary = eva && (kwargs.Bool("use_rot_pos_emb") ?? false);
        int referenceGrid = 0;
        if (eva && kwargs.Size("ref_feat_shape") is { } reference)
        {
            if (reference.Height != reference.Width) throw kwargs.Unsupported("ref_feat_shape");
            referenceGrid = reference.Height;
        }
        // Eva's fused qkv (its default) has no bias of its own: q_bias and v_bias parameters, and none for the keys.
        bool separateQvBias = eva && !separate && qkvBias;

        // MLP.
        var activation = kwargs.Activation();
        var gate = MlpGate.None;
        int mlpWidth = hidden;
        bool mlpInnerNorm = eva && (kwargs.Bool("scale_mlp") ?? false);
        if (eva && (kwargs.Bool("swiglu_mlp") ?? false))
        {
            if (kwargs.Int("swiglu_align_to") is { } align && align != 0) throw kwargs.Unsupported("swiglu_align_to");
            activation = MlpActivation.Silu;
            // timm's EvaBlock: SwiGLU (fc1_g, fc1_x) when scale_mlp, else GluMlp packed, hidden_features * 2 wide.
            if (mlpInnerNorm) gate = MlpGate.Split;
            else { gate = MlpGate.Packed; mlpWidth = hidden * 2; }
        }
        if (!eva && kwargs.String("mlp_layer") is { } mlpLayer)
        {
            if (mlpLayer != "SwiGLUPacked" && !(mlpLayer == "GluMlp")) throw kwargs.Unsupported("mlp_layer");
            gate = MlpGate.Packed;   // SwiGLUPacked = GluMlp(act_layer=SiLU, gate_last=False): fc1 hidden wide, chunked in two
        }
        double layerScale = kwargs.Double("init_values") ?? 0.0;
        kwargs.ThrowOnUnread();

        var spec = new VitSpec
        {
            ImageHeight = height, ImageWidth = width, Channels = 3, PatchHeight = patchHeight, PatchWidth = patchWidth,
            EmbedDim = embed, Depth = depth, Heads = heads, MlpDim = mlpWidth, NumClasses = 0, RuntimeNumClasses = true,
            Pooling = pooling, ClassToken = classToken, RegisterTokens = registers, DistillationToken = distillation,
            DynamicImageSize = dynamic, PatchBias = patchBias, PositionEmbedding = positionKind, PositionEmbeddingIncludesPrefix = includePrefix,
            Norm = normKind, PreNorm = preNorm, FinalNorm = finalNormPlace, QkvBias = qkvBias, QkNorm = qkNorm, SeparateQkv = separate,
            SeparateQvBias = separateQvBias, AttentionInnerNorm = attentionInnerNorm, Rotary = rotary, RotaryReferenceGrid = referenceGrid,
            MlpActivation = activation, MlpGate = gate, MlpInnerNorm = mlpInnerNorm, LayerScaleInit = layerScale, LayerNormEps = eps,
        };
        string className = ClassName(entry.Name);
        return new TimmDeclaration(entry, className, Render(entry, className, spec), spec);
    }

    private static string Render(TimmEntry entry, string className, VitSpec s)
    {
        var cfg = entry.DefaultConfig;
        var vit = new List<string> { "RuntimeNumClasses = true" };
        if (s.Pooling != Pooling.ClassToken) vit.Add($"Pooling = Pooling.{s.Pooling}");
        if (!s.ClassToken) vit.Add("ClassToken = false");
        if (s.RegisterTokens > 0) vit.Add($"RegisterTokens = {s.RegisterTokens}");
        if (s.DistillationToken) vit.Add("DistillationToken = true");
        if (!s.QkvBias) vit.Add("QkvBias = false");
        if (s.LayerScaleInit > 0) vit.Add($"LayerScaleInit = {Number(s.LayerScaleInit)}");
        if (s.LayerNormEps != VisionTransformerAttribute.DefaultLayerNormEps) vit.Add($"LayerNormEps = {Number(s.LayerNormEps)}");

        string image = (s.ImageHeight == s.ImageWidth ? $"Image({s.ImageHeight}" : $"Image({s.ImageHeight}, {s.ImageWidth}") + (s.DynamicImageSize ? ", DynamicSize = true)" : ")");
        string patch = (s.PatchHeight == s.PatchWidth ? $"Patch({s.PatchHeight}" : $"Patch({s.PatchHeight}, {s.PatchWidth}") + (s.PatchBias ? ")" : ", Bias = false)");
        var mlp = new List<string> { s.MlpDim.ToString(CultureInfo.InvariantCulture) };
        if (s.MlpActivation != MlpActivation.Gelu) mlp.Add($"Activation = MlpActivation.{s.MlpActivation}");
        if (s.MlpGate != MlpGate.None) mlp.Add($"Gate = MlpGate.{s.MlpGate}");
        if (s.MlpInnerNorm) mlp.Add("InnerNorm = true");

        var concerns = new List<string>();
        if (s.PositionEmbedding != PositionEmbeddingKind.Learned || !s.PositionEmbeddingIncludesPrefix)
        {
            var args = new List<string>();
            if (s.PositionEmbedding != PositionEmbeddingKind.Learned) args.Add($"PositionEmbeddingKind.{s.PositionEmbedding}");
            if (!s.PositionEmbeddingIncludesPrefix) args.Add("IncludePrefixTokens = false");
            concerns.Add($"PositionEmbedding({string.Join(", ", args)})");
        }
        if (s.Norm != NormKind.LayerNorm || s.PreNorm || s.FinalNorm != FinalNorm.Auto)
        {
            var args = new List<string>();
            if (s.Norm != NormKind.LayerNorm) args.Add($"NormKind.{s.Norm}");
            if (s.PreNorm) args.Add("PreNorm = true");
            if (s.FinalNorm != FinalNorm.Auto) args.Add($"FinalNorm = FinalNorm.{s.FinalNorm}");
            concerns.Add($"Norm({string.Join(", ", args)})");
        }
        if (s.QkNorm || s.SeparateQkv || s.SeparateQvBias || s.AttentionInnerNorm || s.Rotary || s.RotaryReferenceGrid != 0)
        {
            var args = new List<string>();
            if (s.QkNorm) args.Add("QkNorm = true");
            if (s.SeparateQkv) args.Add("SeparateProjections = true");
            if (s.SeparateQvBias) args.Add("SeparateQvBias = true");
            if (s.AttentionInnerNorm) args.Add("InnerNorm = true");
            if (s.Rotary) args.Add("Rotary = true");
            if (s.RotaryReferenceGrid != 0) args.Add($"RotaryReferenceGrid = {s.RotaryReferenceGrid}");
            concerns.Add($"Attention({string.Join(", ", args)})");
        }

        var w = new StringBuilder();
        int classes = (int)cfg["num_classes"]!;
        w.Append("/// <summary>timm's <c>").Append(entry.Name).Append("</c>: <c>").Append(Xml(Call(entry))).Append("</c> at ")
         .Append(s.ImageHeight == s.ImageWidth ? $"{s.ImageHeight}" : $"{s.ImageHeight}x{s.ImageWidth}").Append(" px; default tag <c>")
         .Append(entry.DefaultTag).Append("</c>, ").Append(classes == 0 ? "headless" : $"{classes} classes").Append(".</summary>\n");
        w.Append("[VisionTransformer(").Append(string.Join(", ", vit)).Append(")]\n");
        w.Append('[').Append(image).Append(", ").Append(patch).Append($", Embed({s.EmbedDim}), Depth({s.Depth}), Heads({s.Heads}), Mlp(")
         .Append(string.Join(", ", mlp)).Append(")]\n");
        if (concerns.Count > 0) w.Append('[').Append(string.Join(", ", concerns)).Append("]\n");
        w.Append("public partial class ").Append(className).Append(" { }\n");
        return w.ToString();
    }

    /// <summary>Every family's file: header, then each architecture's declaration (sorted by name).</summary>
    public static IReadOnlyDictionary<string, string> RenderFiles(string version, string commit, IReadOnlyList<TimmEntry> entries)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var declarations = entries.Select(Translate).ToArray();
        foreach (var (family, file, title) in Families)
        {
            var members = declarations.Where(d => d.Entry.Family == family).ToArray();
            if (members.Length == 0) throw new InvalidDataException($"No architecture of family {family}.");
            var w = new StringBuilder();
            w.Append(Header(version, commit));
            w.Append("// ").Append(char.ToUpperInvariant(title[0])).Append(title.AsSpan(1)).Append(": ").Append(members.Length).Append(" architecture").Append(members.Length == 1 ? "" : "s").Append(".\n");
            w.Append("namespace ShapedVit.Models.Catalogue;\n");
            foreach (var d in members) w.Append('\n').Append(d.Source);
            files[file] = w.ToString();
        }
        var unknown = declarations.Select(d => d.Entry.Family).Distinct().Except(Families.Select(f => f.Family)).ToArray();
        if (unknown.Length > 0) throw new InvalidDataException($"Unknown families: {string.Join(", ", unknown)}.");
        files["TimmArchitectures.cs"] = RenderRegistry(version, commit, declarations);
        return files;
    }

    private static string Header(string version, string commit) =>
        $"// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm {version}, {commit}).\n" +
        "// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments\n" +
        "// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).\n";

    private static string RenderRegistry(string version, string commit, IReadOnlyList<TimmDeclaration> declarations)
    {
        var w = new StringBuilder();
        w.Append(Header(version, commit));
        w.Append("using ShapedVit.Models.Catalogue;\n\nnamespace ShapedVit.Models;\n\n");
        w.Append("/// <summary>Every architecture of the catalogue with its generated type and timm's pretrained_cfg of each tag.</summary>\n");
        w.Append("internal static class TimmArchitectures\n{\n");
        w.Append("    internal static TimmArchitecture[] All() =>\n    [\n");
        foreach (var d in declarations)
        {
            var e = d.Entry;
            w.Append($"        TimmArchitecture.Of<{d.ClassName}>({Str(e.Name)}, {Str(e.Family)}, {Str(e.TimmClass)}, {Str(e.DefaultTag)}, {d.ClassName}.ParameterCountFor,\n");
            if (e.Pretrained.Count == 0) w.Append("        []");
            else
            {
                w.Append("        [\n");
                foreach (var tag in e.Pretrained) w.Append("            ").Append(Config(tag)).Append(",\n");
                w.Append("        ]");
            }
            if (e.DefaultCfg is { } untrained) w.Append(",\n        untrained: ").Append(Config(untrained));
            w.Append("),\n");
        }
        w.Append("    ];\n}\n");
        return w.ToString();
    }

    private static string Config(JsonObject c)
    {
        foreach (var key in c.Select(k => k.Key))
            if (key is not ("name" or "hf_hub_id" or "num_classes" or "input_size" or "mean" or "std" or "crop_pct" or "crop_mode" or "interpolation" or "license"))
                throw new InvalidDataException($"{c["name"]}: unknown pretrained_cfg field '{key}'.");
        string Numbers(string key) => "[" + string.Join(", ", c[key]!.AsArray().Select(v => Number((double)v!))) + "]";
        string Ints(string key) => "[" + string.Join(", ", c[key]!.AsArray().Select(v => ((int)v!).ToString(CultureInfo.InvariantCulture))) + "]";
        return $"new({Str((string)c["name"]!)}, {Str((string?)c["hf_hub_id"])}, {(int)c["num_classes"]!}, {Ints("input_size")}, {Numbers("mean")}, {Numbers("std")}, " +
               $"{Number((double)c["crop_pct"]!)}, {Str((string)c["crop_mode"]!)}, {Str((string)c["interpolation"]!)}, {Str((string?)c["license"])})";
    }

    /// <summary>timm's call as Python writes it: <c>VisionTransformer(patch_size=14, ...)</c>, kwargs in the catalogue's order.</summary>
    private static string Call(TimmEntry e) => $"{e.TimmClass}({string.Join(", ", e.Kwargs.Select(p => $"{p.Key}={Python(p.Value)}"))})";

    private static string Python(JsonNode? v) => v switch
    {
        null => "None",
        JsonArray a => "(" + string.Join(", ", a.Select(Python)) + ")",
        JsonObject o when o["partial"] is { } f => $"partial({(string)f!}{string.Concat(o.Where(p => p.Key != "partial").Select(p => $", {p.Key}={Python(p.Value)}"))})",
        JsonValue j when j.TryGetValue(out bool b) => b ? "True" : "False",
        JsonValue j when j.TryGetValue(out string? s) => $"'{s}'",
        _ => v.ToJsonString(),
    };

    /// <summary>A C# double literal: 1e-6, 0.5, 1.0, 0.48145466.</summary>
    public static string Number(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e >= 0) return text[..e] + "e" + int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return text.Contains('.') ? text : text + ".0";
    }

    private static string Str(string? s) => s is null ? "null" : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>The kwargs of one entry: each is read at most once, and any left unread at the end is an error.</summary>
    private sealed class Kwargs(TimmEntry entry)
    {
        private readonly HashSet<string> read = new(StringComparer.Ordinal);

        private JsonNode? Take(string key)
        {
            read.Add(key);
            return entry.Kwargs.TryGetPropertyValue(key, out var value) ? value : null;
        }

        private bool Has(string key) => entry.Kwargs.ContainsKey(key) && entry.Kwargs[key] is not null;

        public InvalidDataException Unsupported(string key) =>
            new($"{entry.Name}: {entry.TimmClass} argument {key}={(entry.Kwargs.TryGetPropertyValue(key, out var v) ? Python(v) : "(default)")} has no translation.");

        public int? Int(string key) => Take(key) is { } v ? Number(key, v) is var d && d == Math.Floor(d) ? (int)d : throw Unsupported(key) : null;

        public double? Double(string key) => Take(key) is { } v ? Number(key, v) : null;

        private double Number(string key, JsonNode v) =>
            v is JsonValue j && j.TryGetValue(out double d) ? d : throw Unsupported(key);

        public bool? Bool(string key) => Take(key) is { } v ? v is JsonValue j && j.TryGetValue(out bool b) ? b : throw Unsupported(key) : null;

        public string? String(string key) => Take(key) is { } v ? v is JsonValue j && j.TryGetValue(out string? s) ? s : throw Unsupported(key) : null;

        /// <summary>An int or a pair (timm's to_2tuple).</summary>
        public (int Height, int Width)? Size(string key)
        {
            var v = Take(key);
            if (v is null) return null;
            if (v is JsonArray { Count: 2 } pair && pair[0] is JsonValue h && pair[1] is JsonValue w && h.TryGetValue(out int hh) && w.TryGetValue(out int ww)) return (hh, ww);
            if (v is JsonValue j && j.TryGetValue(out int n)) return (n, n);
            throw Unsupported(key);
        }

        /// <summary>timm's norm_layer: its LayerNorm (eps 1e-6) by default, partial(LayerNorm, eps=...) for CLIP, RmsNorm.</summary>
        public (NormKind Kind, double Eps) NormLayer()
        {
            var v = Take("norm_layer");
            if (v is null) return (NormKind.LayerNorm, VisionTransformerAttribute.DefaultLayerNormEps);
            if (v is JsonValue j && j.TryGetValue(out string? name))
                return name switch
                {
                    // torch's nn.LayerNorm (eps 1e-5) and timm's LayerNorm (1e-6) share the name: a bare one is ambiguous.
                    "RmsNorm" => (NormKind.RmsNorm, VisionTransformerAttribute.DefaultLayerNormEps),
                    _ => throw Unsupported("norm_layer"),
                };
            if (v is JsonObject o && o["partial"] is JsonValue f && f.TryGetValue(out string? layer) && o.All(p => p.Key is "partial" or "eps")
                && o["eps"] is JsonValue e && e.TryGetValue(out double eps))
                return layer switch
                {
                    "LayerNorm" => (NormKind.LayerNorm, eps),
                    "RmsNorm" => (NormKind.RmsNorm, eps),
                    _ => throw Unsupported("norm_layer"),
                };
            throw Unsupported("norm_layer");
        }

        public MlpActivation Activation() => String("act_layer") switch
        {
            null or "gelu" or "GELU" => MlpActivation.Gelu,
            "gelu_tanh" => MlpActivation.GeluTanh,
            "quick_gelu" or "QuickGELU" => MlpActivation.QuickGelu,
            "silu" or "SiLU" or "swish" => MlpActivation.Silu,
            _ => throw Unsupported("act_layer"),
        };

        public void ThrowOnUnread()
        {
            var unread = entry.Kwargs.Select(p => p.Key).Where(k => !read.Contains(k)).ToArray();
            if (unread.Length > 0)
                throw new InvalidDataException($"{entry.Name}: {entry.TimmClass} argument{(unread.Length == 1 ? "" : "s")} {string.Join(", ", unread.Select(k => $"{k}={Python(entry.Kwargs[k])}"))} not translated: teach TimmTranslator {(unread.Length == 1 ? "it" : "them")}.");
        }
    }
}
