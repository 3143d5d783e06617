using System.Runtime.CompilerServices;
using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Models;

/// <summary>
/// timm's Vision Transformers by timm's names, as <c>timm.create_model</c> takes them: <c>Timm.Create("vit_small_patch14_dinov2")</c>
/// or with a pretrained tag, <c>Timm.Create("vit_base_patch16_clip_224.openai")</c>. Every architecture is a generated
/// declaration (<c>ShapedVit.Models.Catalogue</c>) translated from timm's own constructor arguments, every shape proven
/// at compile time. A bare name means timm's default tag; the class count is that tag's (0, headless, where timm's is 0)
/// unless given, and the tag's <c>pretrained_cfg</c> becomes the model's checkpoint metadata (<see cref="MetadataOf"/>).
/// Weights are initialised as timm initialises them; <c>Create(name, pretrained: true)</c> downloads the published ones
/// from the Hugging Face Hub (ShapedVit.Hub) into Python's cache and loads them.
/// </summary>
public static partial class Timm
{
    private static readonly Lazy<Registry> registry = new(() => new Registry(TimmArchitectures.All()));
    private static readonly ConditionalWeakTable<nn.Module, CheckpointMetadata> metadataOfModels = new();

    /// <summary>Every architecture name, sorted (ordinal), as <c>timm.list_models()</c> lists them for these families.</summary>
    public static IReadOnlyList<string> Names => registry.Value.Names;

    /// <summary>Every <c>arch.tag</c> name with published weights, sorted (ordinal), as <c>timm.list_pretrained()</c> lists them.</summary>
    public static IReadOnlyList<string> PretrainedNames => registry.Value.PretrainedNames;

    /// <summary>Every architecture, sorted by name.</summary>
    public static IReadOnlyList<TimmArchitecture> Architectures => registry.Value.Architectures;

    /// <summary>The architecture of <paramref name="name"/> (<c>arch</c> or <c>arch.tag</c>).</summary>
    /// <exception cref="UnknownModelException">No such architecture or tag; the message lists the nearest names.</exception>
    public static TimmArchitecture Architecture(string name) => Resolve(name).Architecture;

    /// <summary>
    /// timm's <c>pretrained_cfg</c> of <paramref name="name"/>: the tag's for <c>arch.tag</c>, the default tag's for a bare
    /// <c>arch</c>. Its <see cref="TimmPretrainedConfig.HfHubId"/> is the Hub repo of the weights.
    /// </summary>
    /// <exception cref="UnknownModelException">No such architecture or tag; the message lists the nearest names.</exception>
    public static TimmPretrainedConfig PretrainedConfig(string name) => Resolve(name).Config;

    /// <summary>timm's default tag of <paramref name="architecture"/>, or null for a name the catalogue does not know (the
    /// lookup ShapedVit.Hub's <c>HubModelName.Parse</c> takes for a bare architecture).</summary>
    public static string? DefaultTag(string architecture) =>
        registry.Value.ByName.TryGetValue(architecture, out var found) ? found.DefaultTag : null;

    /// <summary>
    /// Builds <paramref name="name"/> (<c>arch</c> or <c>arch.tag</c>) with timm's initialisation, as
    /// <c>timm.create_model(name, num_classes=numClasses)</c> does. The head has the tag's class count unless
    /// <paramref name="numClasses"/> says otherwise; 0 builds it headless (the forward pass returns the pooled vector). The
    /// model is the generated type (<see cref="IVisionTransformer"/>); its checkpoint metadata is <see cref="MetadataOf"/>.
    /// </summary>
    /// <param name="name">timm's name, with or without a pretrained tag.</param>
    /// <param name="numClasses">The head's class count; null: the tag's (timm's <c>num_classes</c> of its <c>pretrained_cfg</c>).</param>
    /// <param name="seed">The seed of the initialisation; null draws from torch's global generator.</param>
    /// <exception cref="UnknownModelException">No such architecture or tag; the message lists the nearest names.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is negative.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, int? numClasses = null, long? seed = null)
    {
        var (architecture, config) = Resolve(name);
        int classes = CheckClasses(numClasses) ?? config.NumClasses;
        var model = architecture.Create(classes, seed);
        metadataOfModels.AddOrUpdate(model, MetadataFor(architecture, config, classes));
        return model;
    }

    /// <summary>
    /// The checkpoint metadata of the model <see cref="Create(string, int?, long?)"/> builds for these arguments: the name (<c>arch.tag</c>), the
    /// architecture key, the tag's preprocessing, and the whole <c>pretrained_cfg</c> as JSON under
    /// <see cref="TimmPretrainedConfig.MetadataKey"/> (Hub repo, class count, crop mode, licence). timm's configurations of
    /// these tags name no labels, so <see cref="CheckpointMetadata.Labels"/> is null.
    /// </summary>
    /// <exception cref="UnknownModelException">No such architecture or tag; the message lists the nearest names.</exception>
    public static CheckpointMetadata Metadata(string name, int? numClasses = null)
    {
        var (architecture, config) = Resolve(name);
        return MetadataFor(architecture, config, CheckClasses(numClasses) ?? config.NumClasses);
    }

    /// <summary>The checkpoint metadata of a model <see cref="Create(string, int?, long?)"/> built; null for any other model.</summary>
    public static CheckpointMetadata? MetadataOf(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return metadataOfModels.TryGetValue(model, out var metadata) ? metadata : null;
    }

    private static int? CheckClasses(int? numClasses) =>
        numClasses < 0 ? throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "The class count must be positive, or 0 for a headless model.") : numClasses;

    private static CheckpointMetadata MetadataFor(TimmArchitecture architecture, TimmPretrainedConfig config, int classes) => new()
    {
        ModelName = config.Name,
        Architecture = ModelArchitecture.Describe(architecture.Name, architecture.Spec with { NumClasses = classes }),
        Preprocessing = config.Preprocessing,
        Extra = new Dictionary<string, string>(StringComparer.Ordinal) { [TimmPretrainedConfig.MetadataKey] = config.ToJson() },
    };

    private static (TimmArchitecture Architecture, TimmPretrainedConfig Config) Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var known = registry.Value;
        string shown = Shorten(name);
        if (name.StartsWith("hf-hub:", StringComparison.Ordinal) || name.StartsWith("hf_hub:", StringComparison.Ordinal))
            throw new UnknownModelException(name, [],
                $"'{shown}' names a Hugging Face Hub repo: its architecture is in the repo's config.json, which Timm.Create(name, pretrained: true) reads; Timm.Create(name) takes timm's names (Timm.Names).");
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string arch = dot < 0 ? name : name[..dot];
        if (!known.ByName.TryGetValue(arch, out var architecture))
        {
            var nearest = NearestNames.Of(arch, known.Names);
            throw new UnknownModelException(name, nearest,
                $"Unknown timm model '{shown}': the nearest names are {string.Join(", ", nearest)} (Timm.Names lists all {known.Names.Count}).");
        }
        if (dot < 0) return (architecture, architecture.DefaultConfig);
        string tag = name[(dot + 1)..];
        var config = architecture.Pretrained.FirstOrDefault(p => p.Tag == tag)
            ?? (architecture.DefaultConfig.Tag == tag ? architecture.DefaultConfig : null);
        if (config is null)
        {
            var tags = architecture.Pretrained.Select(p => p.Name).ToList();
            if (tags.Count == 0)
                throw new UnknownModelException(name, [architecture.DefaultConfig.Name],
                    $"Unknown timm model '{shown}': {arch} has no pretrained weights, only its default tag {architecture.DefaultConfig.Name}.");
            var nearest = NearestNames.Of(name, tags);
            throw new UnknownModelException(name, nearest,
                $"Unknown timm model '{shown}': {arch} has no tag '{Shorten(tag)}'; the nearest are {string.Join(", ", nearest)} ({tags.Count} tag{(tags.Count == 1 ? "" : "s")} in all).");
        }
        return (architecture, config);
    }

    /// <summary>A name as an error line quotes it: at most 100 characters, control characters escaped.</summary>
    private static string Shorten(string name)
    {
        var text = name.Length > 100 ? name[..100] + "..." : name;
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    private sealed class Registry
    {
        public Registry(IEnumerable<TimmArchitecture> architectures)
        {
            Architectures = architectures.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray();
            ByName = Architectures.ToDictionary(a => a.Name, StringComparer.Ordinal);
            Names = Architectures.Select(a => a.Name).ToArray();
            PretrainedNames = Architectures.SelectMany(a => a.Pretrained).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        }

        public IReadOnlyList<TimmArchitecture> Architectures { get; }
        public IReadOnlyDictionary<string, TimmArchitecture> ByName { get; }
        public IReadOnlyList<string> Names { get; }
        public IReadOnlyList<string> PretrainedNames { get; }
    }
}
