using System.Globalization;
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
                ["mean"] = new JsonArray(p.Mean.Select(v => (JsonNode)(double)(decimal)v).ToArray()),
                ["std"] = new JsonArray(p.Std.Select(v => (JsonNode)(double)(decimal)v).ToArray()),
            };
            result[CheckpointMetadataKeys.Preprocessing] = json.ToJsonString();
        }
        return result;
    }

    /// <summary>
    /// Reads the typed fields from a file's <c>__metadata__</c>; keys it does not know go to <see cref="Extra"/>. A known key
    /// whose value is malformed is a <see cref="CheckpointException"/> (<see cref="CheckpointRule.MetadataMalformed"/>) naming it.
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
                case CheckpointMetadataKeys.ModelName: name = value; break;
                case CheckpointMetadataKeys.Architecture: architecture = value; break;
                case CheckpointMetadataKeys.Labels: labels = ParseLabels(value, path); break;
                case CheckpointMetadataKeys.Preprocessing: preprocessing = ParsePreprocessing(value, path); break;
                default: extra[key] = value; break;
            }
        }
        return new CheckpointMetadata { ModelName = name, Architecture = architecture, Labels = labels, Preprocessing = preprocessing, Extra = extra };
    }

    /// <summary>Reads a safetensors file's header only (cheap for any size of file) and parses its metadata.</summary>
    public static CheckpointMetadata Read(string path) => Parse(Safetensors.ReadHeader(path).Metadata, path);

    private static CheckpointException Invalid(string key, string detail, string? path, Exception? inner = null) =>
        new(CheckpointRule.MetadataMalformed, null, $"metadata '{key}' {detail}", path, inner);

    private static IReadOnlyList<string> ParseLabels(string value, string? path)
    {
        try
        {
            var labels = JsonSerializer.Deserialize<string[]>(value);
            if (labels is null || labels.Any(l => l is null)) throw Invalid(CheckpointMetadataKeys.Labels, "must be a JSON array of strings.", path);
            return labels;
        }
        catch (JsonException e)
        {
            throw Invalid(CheckpointMetadataKeys.Labels, $"is not a JSON array of strings ({e.Message}).", path, e);
        }
    }

    private static PreprocessConfig ParsePreprocessing(string value, string? path)
    {
        const string key = CheckpointMetadataKeys.Preprocessing;
        try
        {
            if (JsonNode.Parse(value) is not JsonObject json) throw Invalid(key, "must be a JSON object.", path);
            var size = json["input_size"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            if (size is not { Length: 3 } || size[1] != size[2])
                throw Invalid(key, $"needs input_size [channels, size, size] (got {json["input_size"]?.ToJsonString() ?? "none"}).", path);
            double cropPct = json["crop_pct"]?.GetValue<double>() ?? 1.0;
            float[] Floats(string field) =>
                json[field]?.AsArray().Select(n => (float)n!.GetValue<double>()).ToArray() ?? throw Invalid(key, $"needs {field}.", path);
            string filter = json["interpolation"]?.GetValue<string>() ?? "bicubic";
            var interpolation = filter switch
            {
                "bicubic" => Interpolation.Bicubic,
                "bilinear" => Interpolation.Bilinear,
                _ => throw Invalid(key, $"has interpolation '{filter}': use bicubic or bilinear.", path),
            };
            var config = new PreprocessConfig(size[1], cropPct, Floats("mean"), Floats("std"), size[0]) { Interpolation = interpolation };
            string? problem = config.Problems().FirstOrDefault();
            if (problem is not null) throw Invalid(key, problem, path);
            return config;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid(key, $"is malformed ({e.Message}).", path, e);
        }
    }
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
            throw new CheckpointException(CheckpointRule.ArchitectureMismatch, null, $"the file holds architecture '{found}', not '{architecture}'.", path);
    }
}
