using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ShapedVit.Checkpoints;

/// <summary>
/// What a checkpoint says about the model it holds, as timm keeps <c>pretrained_cfg</c> with a model and Hugging Face keeps
/// <c>id2label</c>: the model's name, its architecture key, its class labels and its preprocessing. Stored as strings in the
/// safetensors <c>__metadata__</c> under the keys of <see cref="CheckpointMetadataKeys"/> (documented in
/// docs/checkpoint-metadata.md); other keys are kept in <see cref="Extra"/>.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>The declared model's name (its class name, or a catalogue name such as <c>vit_base_patch16_224</c>).</summary>
    public string? ModelName { get; init; }

    /// <summary>The architecture key (see <see cref="ModelArchitecture.Describe"/>): every number that changes the weights' shapes or meaning.</summary>
    public string? Architecture { get; init; }

    /// <summary>Class names by class index; null when the checkpoint states none.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The evaluation preprocessing; null when the checkpoint states none.</summary>
    public PreprocessConfig? Preprocessing { get; init; }

    /// <summary>Every other <c>__metadata__</c> entry (for example <c>format</c>), by key.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The metadata of <paramref name="model"/>: <paramref name="name"/> (its class name unless given) and its architecture key, with the given labels and preprocessing.</summary>
    public static CheckpointMetadata For(IVisionTransformer model, IReadOnlyList<string>? labels = null, PreprocessConfig? preprocessing = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        name ??= model.GetType().Name;
        return new() { ModelName = name, Architecture = ModelArchitecture.Describe(name, model.Spec), Labels = labels, Preprocessing = preprocessing };
    }

    /// <summary>The <c>__metadata__</c> strings: the typed fields under their keys (JSON where structured), then <see cref="Extra"/>.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Extra) result[key] = value;
        if (ModelName is not null) result[CheckpointMetadataKeys.ModelName] = ModelName;
        if (Architecture is not null) result[CheckpointMetadataKeys.Architecture] = Architecture;
        if (Labels is not null) result[CheckpointMetadataKeys.Labels] = JsonSerializer.Serialize(Labels);
        if (Preprocessing is { } p)
        {
            var json = new JsonObject
            {
                ["input_size"] = new JsonArray(p.Channels, p.Size, p.Size),
                ["crop_pct"] = p.CropPct,
                ["interpolation"] = p.Interpolation.ToString().ToLowerInvariant(),
                // The float's shortest round-trip text as a double: 0.485 stays 0.485, and CLIP's 0.48145466 keeps its 8th digit
                // (a decimal conversion rounds a float to 7 digits, so the value read back was another float).
                ["mean"] = new JsonArray(p.Mean.Select(v => (JsonNode)double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray()),
                ["std"] = new JsonArray(p.Std.Select(v => (JsonNode)double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray()),
            };
            result[CheckpointMetadataKeys.Preprocessing] = json.ToJsonString();
        }
        return result;
    }

    /// <summary>The longest model name accepted (characters).</summary>
    public const int MaxModelNameLength = 256;
    /// <summary>The longest architecture key accepted (characters).</summary>
    public const int MaxArchitectureLength = 4096;
    /// <summary>The longest labels value accepted (characters of its JSON), far above ImageNet-21k's 21,843 names.</summary>
    public const int MaxLabelsLength = 16 << 20;
    /// <summary>The most labels accepted.</summary>
    public const int MaxLabels = 1_000_000;
    /// <summary>The longest single label accepted (characters).</summary>
    public const int MaxLabelLength = 4096;
    /// <summary>The longest preprocessing value accepted (characters of its JSON), far above timm's whole pretrained_cfg.</summary>
    public const int MaxPreprocessingLength = 64 << 10;

    /// <summary>
    /// Reads the typed fields from a file's <c>__metadata__</c>, as untrusted input; keys it does not know go to
    /// <see cref="Extra"/>. Each known key is checked for its size (the <c>Max...</c> constants), its JSON types, and, for the
    /// preprocessing, finite numbers in the ranges of <see cref="PreprocessConfig.Problems"/>; duplicate JSON keys are refused.
    /// A violation is a one-line <see cref="CheckpointException"/> (<see cref="CheckpointRule.MetadataMalformed"/>) naming
    /// <paramref name="path"/>, the key and the field, quoting the file only in a short excerpt.
    /// </summary>
    public static CheckpointMetadata Parse(IReadOnlyDictionary<string, string> metadata, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null, architecture = null;
        IReadOnlyList<string>? labels = null;
        PreprocessConfig? preprocessing = null;
        foreach (var (key, value) in metadata)
        {
            switch (key)
            {
                case CheckpointMetadataKeys.ModelName: name = ParseName(key, value, MaxModelNameLength, path); break;
                case CheckpointMetadataKeys.Architecture: architecture = ParseName(key, value, MaxArchitectureLength, path); break;
                case CheckpointMetadataKeys.Labels: labels = ParseLabels(value, path); break;
                case CheckpointMetadataKeys.Preprocessing: preprocessing = ParsePreprocessing(value, path); break;
                default: extra[key] = value; break;
            }
        }
        return new CheckpointMetadata { ModelName = name, Architecture = architecture, Labels = labels, Preprocessing = preprocessing, Extra = extra };
    }

    /// <summary>
    /// Reads a safetensors file's header only (cheap for any size of file) and parses its metadata with the rules of
    /// <see cref="FromHeader"/>.
    /// </summary>
    public static CheckpointMetadata Read(string path) => FromHeader(Safetensors.ReadHeader(path), path);

    /// <summary>
    /// The metadata of a validated header (<see cref="Parse"/>), cross-checked against the file's own tensors: labels need a
    /// classifier weight (<c>head.weight</c>, torchvision's <c>heads.head.weight</c> or Hugging Face's <c>classifier.weight</c>)
    /// with one row per label. The label count is then bounded by what the file really holds.
    /// </summary>
    public static CheckpointMetadata FromHeader(SafetensorsHeader header, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        var parsed = Parse(header.Metadata, path);
        if (parsed.Labels is { } labels)
        {
            var classifier = header.Entries.FirstOrDefault(e => IsClassifierWeight(e.Name));
            CheckLabelCount(labels.Count, classifier?.Name, classifier?.Shape, path);
        }
        return parsed;
    }

    /// <summary>The classifier weight's names, with the wrappers a checkpoint may add (DataParallel, Lightning).</summary>
    private static readonly string[] ClassifierWeights = ["head.weight", "heads.head.weight", "classifier.weight"];
    private static readonly string[] ClassifierWrappers = ["", "module.", "model.", "model.module.", "module.model."];

    internal static bool IsClassifierWeight(string name) =>
        ClassifierWrappers.Any(w => name.StartsWith(w, StringComparison.Ordinal) && ClassifierWeights.Contains(name[w.Length..], StringComparer.Ordinal));

    /// <summary>Refuses labels that do not name exactly the rows of the classifier weight <paramref name="tensor"/> of <paramref name="shape"/> (null: there is none).</summary>
    internal static void CheckLabelCount(int labels, string? tensor, IReadOnlyList<long>? shape, string? path)
    {
        if (tensor is null || shape is null)
            throw Invalid(CheckpointMetadataKeys.Labels, null, $"names {labels} classes, but the file has no classifier weight ({string.Join(", ", ClassifierWeights)}) to give them.", path);
        if (shape.Count != 2 || shape[0] != labels)
            throw Invalid(CheckpointMetadataKeys.Labels, null,
                $"names {labels} classes, but the classifier weight '{UntrustedText.Display(tensor)}' has shape {TensorShapes.Format(shape)}: one label per row is needed.", path);
    }

    internal static CheckpointException Invalid(string key, string? field, string detail, string? path, Exception? inner = null) =>
        new(CheckpointRule.MetadataMalformed, null, $"metadata '{key}'{(field is null ? "" : $" field {field}")}: {detail}", path, inner);

    private static string TooLong(int length, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"{length:N0} characters, over the limit of {limit:N0}");

    private static string ParseName(string key, string value, int limit, string? path)
    {
        if (value.Length > limit)
            throw Invalid(key, null, $"is {TooLong(value.Length, limit)} (it starts \"{UntrustedText.Display(value, 40)}\").", path);
        if (value.Any(char.IsControl))
            throw Invalid(key, null, $"holds control characters: \"{UntrustedText.Display(value, 80)}\".", path);
        return value;
    }

    private static IReadOnlyList<string> ParseLabels(string value, string? path)
    {
        const string key = CheckpointMetadataKeys.Labels;
        if (value.Length > MaxLabelsLength) throw Invalid(key, null, $"is {TooLong(value.Length, MaxLabelsLength)}.", path);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value), new JsonReaderOptions { MaxDepth = 2 });
        var labels = new List<string>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                throw Invalid(key, null, $"must be a JSON array of strings, found {SafetensorsHeader.Describe(ref reader)}.", path);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                string at = $"[{labels.Count}]";
                if (reader.TokenType != JsonTokenType.String)
                    throw Invalid(key, null, $"element {at} is {SafetensorsHeader.Describe(ref reader)}, not a string.", path);
                if (labels.Count == MaxLabels) throw Invalid(key, null, $"has more than {MaxLabels:N0} labels.", path);
                string label = reader.GetString()!;
                if (label.Length > MaxLabelLength)
                    throw Invalid(key, null, $"element {at} is {TooLong(label.Length, MaxLabelLength)} (it starts \"{UntrustedText.Display(label, 40)}\").", path);
                labels.Add(label);
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
                throw Invalid(key, null, "must be one JSON array of strings and nothing after it.", path);
        }
        catch (JsonException e)
        {
            throw Invalid(key, null, $"is not a JSON array of strings ({e.Message}).", path, e);
        }
        return labels.ToArray();
    }

    private static PreprocessConfig ParsePreprocessing(string value, string? path)
    {
        const string key = CheckpointMetadataKeys.Preprocessing;
        if (value.Length > MaxPreprocessingLength) throw Invalid(key, null, $"is {TooLong(value.Length, MaxPreprocessingLength)}.", path);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value), new JsonReaderOptions { MaxDepth = 8 });
        double[]? inputSize = null, mean = null, std = null;
        double cropPct = 1.0;
        string filter = "bicubic";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Invalid(key, null, $"must be a JSON object, found {SafetensorsHeader.Describe(ref reader)}.", path);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string field = reader.GetString()!;
                string quoted = $"'{UntrustedText.Display(field, 40)}'";
                if (!seen.Add(field)) throw Invalid(key, quoted, "occurs more than once.", path);
                reader.Read();
                switch (field)
                {
                    case "input_size": inputSize = ReadNumbers(ref reader, quoted, path); break;
                    case "mean": mean = ReadNumbers(ref reader, quoted, path); break;
                    case "std": std = ReadNumbers(ref reader, quoted, path); break;
                    case "crop_pct": cropPct = ReadNumber(ref reader, quoted, path); break;
                    case "interpolation":
                        if (reader.TokenType != JsonTokenType.String)
                            throw Invalid(key, quoted, $"is {SafetensorsHeader.Describe(ref reader)}, not a string.", path);
                        filter = reader.GetString()!;
                        break;
                    default: reader.Skip(); break; // timm's other pretrained_cfg fields (url, num_classes...) are not ours to check
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                throw Invalid(key, null, "must be one JSON object and nothing after it.", path);
        }
        catch (JsonException e)
        {
            throw Invalid(key, null, $"is not a JSON object ({e.Message}).", path, e);
        }

        if (inputSize is null) throw Invalid(key, "'input_size'", "is missing: [channels, size, size] is needed.", path);
        if (inputSize.Length != 3 || inputSize.Any(v => v != Math.Floor(v)) || inputSize[1] != inputSize[2])
            throw Invalid(key, "'input_size'", $"must be 3 integers [channels, size, size] (got {FormatNumbers(inputSize)}).", path);
        if (mean is null) throw Invalid(key, "'mean'", "is missing.", path);
        if (std is null) throw Invalid(key, "'std'", "is missing.", path);
        var interpolation = filter switch
        {
            "bicubic" => Interpolation.Bicubic,
            "bilinear" => Interpolation.Bilinear,
            _ => throw Invalid(key, "'interpolation'", $"is '{UntrustedText.Display(filter, 40)}': use bicubic or bilinear.", path),
        };
        // Integers beyond int's range saturate: the range rules below then name the value the file states.
        static int Saturate(double v) => v >= int.MaxValue ? int.MaxValue : v <= int.MinValue ? int.MinValue : (int)v;
        static float Single(double v) => (float)v;
        if (inputSize[1] > PreprocessConfig.MaxSize || inputSize[1] < 1)
            throw Invalid(key, "'input_size'", string.Create(CultureInfo.InvariantCulture, $"the size {inputSize[1]} is outside [1, {PreprocessConfig.MaxSize}]."), path);
        foreach (var (field, values) in new[] { ("mean", mean), ("std", std) })
            for (int i = 0; i < values.Length; i++)
                if (Math.Abs(values[i]) > float.MaxValue)
                    throw Invalid(key, $"'{field}'[{i}]", string.Create(CultureInfo.InvariantCulture, $"{values[i]} is beyond the range of float32."), path);
        var config = new PreprocessConfig(Saturate(inputSize[1]), cropPct, mean.Select(Single).ToArray(), std.Select(Single).ToArray(), Saturate(inputSize[0]))
        {
            Interpolation = interpolation,
        };
        string? problem = config.Problems().FirstOrDefault();
        if (problem is not null)
        {
            int colon = problem.IndexOf(':', StringComparison.Ordinal);
            string name = problem[..colon];
            int bracket = name.IndexOf('[', StringComparison.Ordinal);
            throw Invalid(key, bracket < 0 ? $"'{name}'" : $"'{name[..bracket]}'{name[bracket..]}", problem[(colon + 2)..], path);
        }
        return config;
    }

    private static double ReadNumber(ref Utf8JsonReader reader, string field, string? path)
    {
        if (reader.TokenType != JsonTokenType.Number)
            throw Invalid(CheckpointMetadataKeys.Preprocessing, field, $"is {SafetensorsHeader.Describe(ref reader)}, not a number.", path);
        if (!reader.TryGetDouble(out double value) || !double.IsFinite(value))
            throw Invalid(CheckpointMetadataKeys.Preprocessing, field, $"{Encoding.UTF8.GetString(reader.ValueSpan)} is not a finite number.", path);
        return value;
    }

    /// <summary>An array of at most 16 numbers (the preprocessing has no longer ones).</summary>
    private static double[] ReadNumbers(ref Utf8JsonReader reader, string field, string? path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Invalid(CheckpointMetadataKeys.Preprocessing, field, $"is {SafetensorsHeader.Describe(ref reader)}, not an array of numbers.", path);
        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (values.Count == 16) throw Invalid(CheckpointMetadataKeys.Preprocessing, field, "has more than 16 values.", path);
            values.Add(ReadNumber(ref reader, $"{field}[{values.Count}]", path));
        }
        return values.ToArray();
    }

    private static string FormatNumbers(double[] values) =>
        "[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

}

/// <summary>The <c>__metadata__</c> keys of <see cref="CheckpointMetadata"/>, and the one that marks a trainer's state file.</summary>
public static class CheckpointMetadataKeys
{
    /// <summary>The model's name (a string).</summary>
    public const string ModelName = "shapedvit.model";
    /// <summary>The architecture key (a string, see <see cref="ModelArchitecture.Describe"/>).</summary>
    public const string Architecture = "shapedvit.architecture";
    /// <summary>The class labels: a JSON array of strings, by class index.</summary>
    public const string Labels = "shapedvit.labels";
    /// <summary>The preprocessing: a JSON object with timm's <c>pretrained_cfg</c> fields input_size, crop_pct, interpolation, mean, std.</summary>
    public const string Preprocessing = "shapedvit.preprocessing";
    /// <summary>
    /// Marks a trainer's state file (its value is the training state), so that loading one as model weights is refused in
    /// one line; the format itself is ShapedVit.Training's <c>TrainingCheckpoint</c>.
    /// </summary>
    public const string TrainingState = "shapedvit.training_state";
}

/// <summary>The architecture key saved with a checkpoint: a model's name and every number that changes its weights' shapes or meaning.</summary>
public static class ModelArchitecture
{
    /// <summary>The key of <paramref name="name"/> declared as <paramref name="s"/>; two models load each other's weights exactly when their keys (without the name) are equal.</summary>
    public static string Describe(string name, VitSpec s) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{name}(image {s.ImageHeight}x{s.ImageWidth}x{s.Channels}, patch {s.PatchHeight}x{s.PatchWidth}, embed {s.EmbedDim}, depth {s.Depth}, " +
            $"heads {s.Heads}, mlp {s.EffectiveMlpDim}, classes {s.NumClasses}, pooling {s.Pooling}, class token {s.ClassToken}, registers {s.RegisterTokens}, " +
            $"qkv bias {s.QkvBias}, layer scale {s.LayerScale}, representation {s.RepresentationSize})");

    /// <summary>Refuses a checkpoint whose metadata records another architecture key (or none), naming both (<see cref="CheckpointRule.ArchitectureMismatch"/>).</summary>
    /// <param name="path">The checkpoint, for the message.</param>
    /// <param name="metadata">Its <c>__metadata__</c> (for example <c>Safetensors.ReadHeader(path).Metadata</c>).</param>
    /// <param name="architecture">The key the caller's model has.</param>
    public static void Require(string path, IReadOnlyDictionary<string, string> metadata, string architecture)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string found = metadata.GetValueOrDefault(CheckpointMetadataKeys.Architecture) ?? "(none recorded)";
        if (found != architecture)
            throw new CheckpointException(CheckpointRule.ArchitectureMismatch, null, $"the file holds architecture '{UntrustedText.Display(found)}', not '{architecture}'.", path);
    }
}
