using System.Globalization;
using System.Text.Json;

namespace ShapedVit.Hub;

/// <summary>Which library wrote a repo's config.json.</summary>
public enum HubConfigFormat
{
    /// <summary>timm's: <c>architecture</c>, <c>num_classes</c>, <c>label_names</c>, <c>pretrained_cfg</c>.</summary>
    Timm,
    /// <summary>Hugging Face transformers': <c>model_type</c>, <c>architectures</c>, <c>id2label</c>, <c>image_size</c>, ...</summary>
    Transformers,
}

/// <summary>A repo's config.json, read as untrusted input: at most <see cref="MaxBytes"/>, every field type-checked and
/// bounded, duplicate keys refused, and each failure one line naming the file and the field.</summary>
public sealed class HubModelConfig
{
    /// <summary>The largest config.json read (ImageNet-21k's 21,843 label names take about 0.7 MB).</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>The most classes (and label names) a config may declare.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>The longest label name.</summary>
    public const int MaxLabelLength = 512;

    private static readonly string[] Interpolations = ["bilinear", "bicubic", "nearest", "lanczos", "box", "hamming"];
    private static readonly string[] CropModes = ["center", "squash", "border"];

    private HubModelConfig(HubConfigFormat format, string source) { Format = format; Source = source; }

    /// <summary>Which format the file is in.</summary>
    public HubConfigFormat Format { get; }

    /// <summary>The file (or URL) it was read from, as named in errors.</summary>
    public string Source { get; }

    /// <summary>timm's architecture (<c>vit_small_patch16_224</c>); for transformers, the first of <c>architectures</c>,
    /// else <c>model_type</c>.</summary>
    public string Architecture { get; private set; } = "";

    /// <summary>transformers' <c>model_type</c> (<c>vit</c>, <c>dinov2</c>, <c>clip_vision_model</c>, ...); null for timm.</summary>
    public string? ModelType { get; private set; }

    /// <summary>transformers' <c>architectures</c> (empty for timm).</summary>
    public IReadOnlyList<string> Architectures { get; private set; } = [];

    /// <summary>The number of classes the head has (timm's <c>num_classes</c>, transformers' count of <c>id2label</c>).</summary>
    public int? NumClasses { get; private set; }

    /// <summary>timm's <c>num_features</c>: the width of the pooled features.</summary>
    public int? NumFeatures { get; private set; }

    /// <summary>timm's <c>global_pool</c>: token, avg, map, ... (empty: none).</summary>
    public string? GlobalPool { get; private set; }

    /// <summary>timm's <c>model_args</c>: the keyword arguments the architecture was built with (e.g. <c>img_size</c>),
    /// each as its JSON text; empty when the config has none.</summary>
    public IReadOnlyDictionary<string, string> ModelArgs { get; private set; } = new Dictionary<string, string>();

    /// <summary>The class names in class order (timm's <c>label_names</c>, transformers' <c>id2label</c>), or null.</summary>
    public IReadOnlyList<string>? LabelNames { get; private set; }

    /// <summary>The input as channels, height, width (timm's <c>pretrained_cfg.input_size</c>; transformers'
    /// <c>num_channels</c> and <c>image_size</c>).</summary>
    public (int Channels, int Height, int Width)? InputSize { get; private set; }

    /// <summary>Per-channel mean the pixels are normalised with (timm's <c>pretrained_cfg.mean</c>).</summary>
    public IReadOnlyList<double>? Mean { get; private set; }

    /// <summary>Per-channel standard deviation (timm's <c>pretrained_cfg.std</c>).</summary>
    public IReadOnlyList<double>? Std { get; private set; }

    /// <summary>timm's <c>crop_pct</c>: the centre crop's share of the resized image.</summary>
    public double? CropPct { get; private set; }

    /// <summary>timm's <c>crop_mode</c>: center, squash or border.</summary>
    public string? CropMode { get; private set; }

    /// <summary>timm's resize interpolation: bilinear, bicubic, nearest, ...</summary>
    public string? Interpolation { get; private set; }

    /// <summary>transformers' <c>patch_size</c>.</summary>
    public int? PatchSize { get; private set; }

    /// <summary>transformers' <c>hidden_size</c>: the embedding width.</summary>
    public int? HiddenSize { get; private set; }

    /// <summary>transformers' <c>num_hidden_layers</c>: the depth.</summary>
    public int? NumHiddenLayers { get; private set; }

    /// <summary>transformers' <c>num_attention_heads</c>.</summary>
    public int? NumAttentionHeads { get; private set; }

    /// <summary>transformers' <c>intermediate_size</c>: the MLP's hidden width.</summary>
    public int? IntermediateSize { get; private set; }

    /// <summary>transformers' <c>hidden_act</c> (<c>gelu</c>, <c>quick_gelu</c>, <c>gelu_pytorch_tanh</c>, ...).</summary>
    public string? HiddenActivation { get; private set; }

    /// <summary>transformers' <c>num_register_tokens</c> (DINOv2 with registers).</summary>
    public int? RegisterTokens { get; private set; }

    /// <summary>timm's architecture for this config: timm's <c>architecture</c> as written; for transformers' format, the
    /// timm model of the same family (<c>model_type</c>) and geometry (<c>hidden_size</c>, <c>num_hidden_layers</c>,
    /// <c>num_attention_heads</c>, <c>patch_size</c>, <c>image_size</c>), e.g. facebook/dinov2-small's is
    /// <c>vit_small_patch14_dinov2</c>; null when no timm architecture matches (see <see cref="RequireTimmArchitecture"/>).</summary>
    public string? TimmArchitecture => Format == HubConfigFormat.Timm ? Architecture : TimmArchitectures.FromTransformers(this).Name;

    /// <summary><see cref="TimmArchitecture"/>, or a one-line error naming the file and what did not match.</summary>
    /// <exception cref="HubException">A transformers config that matches no timm architecture (<see cref="HubErrorKind.UnsupportedArchitecture"/>).</exception>
    public string RequireTimmArchitecture()
    {
        if (Format == HubConfigFormat.Timm) return Architecture;
        var (name, problem) = TimmArchitectures.FromTransformers(this);
        return name ?? throw new HubException(HubErrorKind.UnsupportedArchitecture,
            $"{Source}: field model_type: {Architecture} matches no timm architecture: {problem}");
    }

    /// <summary>Reads <paramref name="path"/> (at most <see cref="MaxBytes"/>).</summary>
    /// <exception cref="HubException">The file is too large, not JSON, or a field is missing, mistyped or out of range.</exception>
    public static HubModelConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxBytes)
                throw new HubException(HubErrorKind.InvalidConfig, $"{path}: {stream.Length} bytes, more than the {MaxBytes} a config.json may have");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new HubException(HubErrorKind.InvalidConfig, $"{path}: cannot be read ({error.Message})", error);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses config.json's bytes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="HubException">Too large, not JSON, or a field is missing, mistyped or out of range.</exception>
    public static HubModelConfig Parse(ReadOnlySpan<byte> json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (json.Length > MaxBytes)
            throw Invalid(source, "(file)", $"{json.Length} bytes, more than the {MaxBytes} a config.json may have");
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException error)
        {
            throw Invalid(source, "(file)", $"not valid JSON ({error.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid(source, "(file)", "not a JSON object");
            var fields = Fields(root, source, "");
            if (fields.ContainsKey("architecture")) return ParseTimm(fields, source);
            if (fields.ContainsKey("model_type") || fields.ContainsKey("architectures")) return ParseTransformers(fields, source);
            throw Invalid(source, "architecture", "missing: neither timm's config (architecture) nor transformers' (model_type, architectures)");
        }
    }

    private static HubModelConfig ParseTimm(Dictionary<string, JsonElement> fields, string source)
    {
        var config = new HubModelConfig(HubConfigFormat.Timm, source)
        {
            Architecture = Name(fields, "architecture", source, required: true)!,
            NumClasses = Integer(fields, "num_classes", source, 0, MaxClasses),
            NumFeatures = Integer(fields, "num_features", source, 1, 1 << 16),
            GlobalPool = GlobalPoolName(fields, source),
            // timm writes label_names as a list, or as {"id": name} when it has to say the ids.
            LabelNames = fields.TryGetValue("label_names", out var names) && names.ValueKind == JsonValueKind.Object
                ? IdLabels(names, source, "label_names")
                : StringList(fields, "label_names", source),
            ModelArgs = RawArguments(fields, source),
        };
        if (config.LabelNames is { } labels && config.NumClasses is { } classes && labels.Count != classes)
            throw Invalid(source, "label_names", $"{labels.Count} names for num_classes {classes}");
        if (fields.TryGetValue("pretrained_cfg", out var pretrained) && pretrained.ValueKind != JsonValueKind.Null)
        {
            if (pretrained.ValueKind != JsonValueKind.Object) throw Invalid(source, "pretrained_cfg", "not an object");
            var cfg = Fields(pretrained, source, "pretrained_cfg.");
            if (cfg.TryGetValue("input_size", out var input) && input.ValueKind != JsonValueKind.Null)
            {
                var size = IntegerList(input, source, "pretrained_cfg.input_size", 1, 8192);
                if (size.Count != 3 || size[0] > 16) throw Invalid(source, "pretrained_cfg.input_size", "not [channels (1-16), height, width]");
                config.InputSize = (size[0], size[1], size[2]);
            }
            config.Mean = NumberList(cfg, "mean", source, -10, 10, config.InputSize?.Channels);
            config.Std = NumberList(cfg, "std", source, 1e-4, 10, config.InputSize?.Channels);
            config.CropPct = Number(cfg, "crop_pct", source, 1e-3, 1, "pretrained_cfg.crop_pct");
            config.CropMode = Choice(cfg, "crop_mode", source, CropModes);
            config.Interpolation = Choice(cfg, "interpolation", source, Interpolations);
        }
        return config;
    }

    private static HubModelConfig ParseTransformers(Dictionary<string, JsonElement> fields, string source)
    {
        var config = new HubModelConfig(HubConfigFormat.Transformers, source)
        {
            ModelType = Name(fields, "model_type", source, required: false),
            Architectures = StringList(fields, "architectures", source) ?? [],
        };
        config.Architecture = config.Architectures.Count > 0 ? config.Architectures[0] : config.ModelType
            ?? throw Invalid(source, "model_type", "missing");
        if (fields.TryGetValue("id2label", out var id2label) && id2label.ValueKind != JsonValueKind.Null)
        {
            config.LabelNames = IdLabels(id2label, source, "id2label");
            config.NumClasses = config.LabelNames.Count;
        }
        // CLIP and SigLIP keep the image tower's geometry under vision_config.
        var vision = fields;
        var prefix = "";
        if (fields.TryGetValue("vision_config", out var visionConfig) && visionConfig.ValueKind == JsonValueKind.Object)
        {
            vision = Fields(visionConfig, source, "vision_config.");
            prefix = "vision_config.";
        }
        var channels = Integer(vision, "num_channels", source, 1, 16, prefix) ?? 3;
        if (vision.TryGetValue("image_size", out var imageSize) && imageSize.ValueKind != JsonValueKind.Null)
        {
            if (imageSize.ValueKind == JsonValueKind.Array)
            {
                var size = IntegerList(imageSize, source, prefix + "image_size", 1, 8192);
                if (size.Count != 2) throw Invalid(source, prefix + "image_size", "not a size or [height, width]");
                config.InputSize = (channels, size[0], size[1]);
            }
            else
            {
                var size = Integer(vision, "image_size", source, 1, 8192, prefix)!.Value;
                config.InputSize = (channels, size, size);
            }
        }
        config.PatchSize = Integer(vision, "patch_size", source, 1, 1024, prefix);
        config.HiddenSize = Integer(vision, "hidden_size", source, 1, 1 << 16, prefix);
        config.NumHiddenLayers = Integer(vision, "num_hidden_layers", source, 1, 1024, prefix);
        config.NumAttentionHeads = Integer(vision, "num_attention_heads", source, 1, 1024, prefix);
        config.IntermediateSize = Integer(vision, "intermediate_size", source, 1, 1 << 18, prefix);
        config.HiddenActivation = Name(vision, "hidden_act", source, required: false, prefix);
        config.RegisterTokens = Integer(vision, "num_register_tokens", source, 0, 64, prefix);
        return config;
    }

    // An object's members, refusing duplicate keys (JsonDocument would keep both, and readers disagree on which wins).
    private static Dictionary<string, JsonElement> Fields(JsonElement element, string source, string prefix)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
            if (!fields.TryAdd(property.Name, property.Value))
                throw Invalid(source, prefix + Printable(property.Name), "appears twice");
        return fields;
    }

    private static string? Name(Dictionary<string, JsonElement> fields, string field, string source, bool required, string prefix = "")
    {
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw Invalid(source, prefix + field, "missing") : null;
        if (value.ValueKind != JsonValueKind.String) throw Invalid(source, prefix + field, $"a {Kind(value)}, not a string");
        var text = value.GetString()!;
        if (text.Length is 0 or > 128 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw Invalid(source, prefix + field, $"'{Printable(text)}' is not a model name (1-128 letters, digits, '_', '-', '.')");
        return text;
    }

    private static int? Integer(Dictionary<string, JsonElement> fields, string field, string source, int min, int max, string prefix = "")
    {
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return IntegerValue(value, source, prefix + field, min, max);
    }

    private static int IntegerValue(JsonElement value, string source, string field, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            throw Invalid(source, field, value.ValueKind == JsonValueKind.Number ? $"{value.GetRawText()} is not an integer" : $"a {Kind(value)}, not an integer");
        if (number < min || number > max) throw Invalid(source, field, $"{number} is outside {min}..{max}");
        return (int)number;
    }

    private static List<int> IntegerList(JsonElement value, string source, string field, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(source, field, $"a {Kind(value)}, not a list");
        if (value.GetArrayLength() > 16) throw Invalid(source, field, $"{value.GetArrayLength()} entries, too many");
        return value.EnumerateArray().Select((item, i) => IntegerValue(item, source, $"{field}[{i}]", min, max)).ToList();
    }

    private static double? Number(Dictionary<string, JsonElement> fields, string field, string source, double min, double max, string name)
    {
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return NumberValue(value, source, name, min, max);
    }

    private static double NumberValue(JsonElement value, string source, string field, double min, double max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            throw Invalid(source, field, value.ValueKind == JsonValueKind.Number ? $"{Printable(value.GetRawText())} is not a finite number" : $"a {Kind(value)}, not a number");
        if (number < min || number > max)
            throw Invalid(source, field, $"{number.ToString(CultureInfo.InvariantCulture)} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        return number;
    }

    private static List<double>? NumberList(Dictionary<string, JsonElement> fields, string field, string source, double min, double max, int? count)
    {
        var name = "pretrained_cfg." + field;
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(source, name, $"a {Kind(value)}, not a list");
        var length = value.GetArrayLength();
        if (length is 0 or > 16 || (count is { } channels && length != channels))
            throw Invalid(source, name, $"{length} values for {(count is { } c ? c.ToString(CultureInfo.InvariantCulture) : "1-16")} channels");
        return value.EnumerateArray().Select((item, i) => NumberValue(item, source, $"{name}[{i}]", min, max)).ToList();
    }

    private static string? Choice(Dictionary<string, JsonElement> fields, string field, string source, string[] choices)
    {
        var name = "pretrained_cfg." + field;
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw Invalid(source, name, $"a {Kind(value)}, not a string");
        var text = value.GetString()!;
        return choices.Contains(text, StringComparer.Ordinal) ? text
            : throw Invalid(source, name, $"'{Printable(text)}' is not one of {string.Join(", ", choices)}");
    }

    private static List<string>? StringList(Dictionary<string, JsonElement> fields, string field, string source)
    {
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(source, field, $"a {Kind(value)}, not a list");
        if (value.GetArrayLength() > MaxClasses) throw Invalid(source, field, $"{value.GetArrayLength()} entries, more than {MaxClasses}");
        return value.EnumerateArray().Select((item, i) => Label(item, source, $"{field}[{i}]")).ToList();
    }

    // transformers' id2label (and timm's label_names as an object): {"0": "tench", "1": "goldfish", ...}; every id
    // 0..n-1 exactly once, so no class is silently left without its name.
    private static List<string> IdLabels(JsonElement value, string source, string field)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Invalid(source, field, $"a {Kind(value)}, not an object");
        var fields = Fields(value, source, field + ".");
        if (fields.Count > MaxClasses) throw Invalid(source, field, $"{fields.Count} entries, more than {MaxClasses}");
        var labels = new string?[fields.Count];
        foreach (var (key, label) in fields)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id >= labels.Length)
                throw Invalid(source, field + "." + Printable(key), $"not a class id in 0..{labels.Length - 1}");
            labels[id] = Label(label, source, field + "." + key);
        }
        return labels.Select(label => label!).ToList();
    }

    private static string? GlobalPoolName(Dictionary<string, JsonElement> fields, string source)
    {
        if (!fields.TryGetValue("global_pool", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw Invalid(source, "global_pool", $"a {Kind(value)}, not a string");
        var text = value.GetString()!;
        return text.Length <= 16 && text.All(c => char.IsAsciiLetterLower(c) || c == '_') ? text
            : throw Invalid(source, "global_pool", $"'{Printable(text)}' is not a pooling name");
    }

    // timm's model_args: keyword arguments the architecture was built with, kept as their JSON text for the catalogue.
    private static Dictionary<string, string> RawArguments(Dictionary<string, JsonElement> fields, string source)
    {
        if (!fields.TryGetValue("model_args", out var value) || value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Object) throw Invalid(source, "model_args", $"a {Kind(value)}, not an object");
        var arguments = Fields(value, source, "model_args.");
        if (arguments.Count > 64) throw Invalid(source, "model_args", $"{arguments.Count} entries, more than 64");
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, argument) in arguments)
        {
            if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw Invalid(source, "model_args." + Printable(name), "not a keyword argument name");
            var text = argument.GetRawText();
            if (text.Length > 4096) throw Invalid(source, "model_args." + name, $"{text.Length} characters of JSON, more than 4096");
            raw[name] = text;
        }
        return raw;
    }

    private static string Label(JsonElement value, string source, string field)
    {
        if (value.ValueKind != JsonValueKind.String) throw Invalid(source, field, $"a {Kind(value)}, not a string");
        var text = value.GetString()!;
        if (text.Length > MaxLabelLength) throw Invalid(source, field, $"{text.Length} characters, more than {MaxLabelLength}");
        // A label is printed to terminals: control characters (escape codes, newlines) are refused, not passed through.
        if (text.Any(char.IsControl)) throw Invalid(source, field, $"'{Printable(text)}' contains control characters");
        return text;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    // What an error line quotes from the file: control characters escaped, at most 60 characters.
    private static string Printable(string text)
    {
        var escaped = string.Concat(text.Take(61).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 60 ? escaped[..Math.Min(escaped.Length, 57)] + "..." : escaped;
    }

    private static HubException Invalid(string source, string field, string problem) =>
        new(HubErrorKind.InvalidConfig, $"{source}: field {field}: {problem}");

    /// <summary>The format, architecture and class count.</summary>
    public override string ToString() =>
        $"{Format} config {Architecture}{(NumClasses is { } classes ? $", {classes} classes" : "")}";
}
