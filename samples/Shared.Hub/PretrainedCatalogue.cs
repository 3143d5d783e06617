using ShapedVit.Checkpoints;
using ShapedVit.Hub;
using ShapedVit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Shared;

/// <summary>
/// What the CLIs need of a model catalogue to start from pretrained weights: timm's default tags and repos (for
/// <see cref="HubModelName.Parse(string, IPretrainedRegistry?)"/>), a model of a timm architecture with a head of any size,
/// and the publisher's preprocessing. <see cref="TimmCatalogue"/> answers from ShapedVit.Models' <c>Timm</c>,
/// <see cref="SampleCatalogue"/> from the models the samples declare, and <see cref="PretrainedCatalogues.Default"/> (the
/// CLIs' default) from both.
/// </summary>
public interface IPretrainedCatalogue : IPretrainedRegistry
{
    /// <summary>The name a checkpoint of <paramref name="architecture"/> records (<c>shapedvit.model</c>), or null when the
    /// catalogue cannot build it.</summary>
    string? ModelName(string architecture);

    /// <summary>The timm <paramref name="architecture"/> with random weights (<paramref name="seed"/>) and a head of
    /// <paramref name="numClasses"/> classes (0: none).</summary>
    /// <exception cref="ArgumentException">The catalogue cannot build it (see <see cref="ModelName"/>).</exception>
    nn.Module<Tensor, Tensor> Create(string architecture, int numClasses, long seed);

    /// <summary>The evaluation preprocessing timm's pretrained config states for <paramref name="architecture"/> (and
    /// <paramref name="tag"/>, when known); null when the catalogue does not know it.</summary>
    PreprocessConfig? Preprocessing(string architecture, string? tag);

    /// <summary>The architectures <see cref="Create"/> builds, for error messages.</summary>
    IReadOnlyList<string> Architectures { get; }
}

/// <summary>The models the samples declare (samples/Shared: the paper's family, the FashionMnist sample's) under their timm
/// names. It knows no default tags, so a bare architecture needs its tag (<c>vit_tiny_patch16_224.augreg_in21k_ft_in1k</c>).</summary>
public sealed class SampleCatalogue : IPretrainedCatalogue
{
    // The family members that are not fine-tuning backbones (Backbone.All has Ti/16, S/16, B/16 and FashionVit).
    private static readonly (string Name, Func<int, long, nn.Module<Tensor, Tensor>> Create)[] More =
    [
        ("vit_base_patch32_224", (n, seed) => new VitBasePatch32(n, seed)),
        ("vit_large_patch16_224", (n, seed) => new VitLargePatch16(n, seed)),
    ];

    /// <summary>The one instance (after <see cref="More"/>: static fields initialise in order).</summary>
    public static SampleCatalogue Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> Architectures { get; } =
        [.. Backbone.All.SelectMany(b => b.Pretrained).Where(n => n.Contains('_') || n == FashionModel.Name), .. More.Select(m => m.Name)];

    /// <inheritdoc/>
    public string? ModelName(string architecture) =>
        Backbone.Find(architecture)?.Name ?? More.FirstOrDefault(m => m.Name == architecture).Name;

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Create(string architecture, int numClasses, long seed)
    {
        if (Backbone.Find(architecture) is { } backbone) return backbone.Create(numClasses, seed);
        foreach (var (name, create) in More)
            if (name == architecture) return create(numClasses, seed);
        throw new ArgumentException($"{architecture} is not a model the samples declare (known: {string.Join(", ", Architectures)}).");
    }

    /// <inheritdoc/>
    public PreprocessConfig? Preprocessing(string architecture, string? tag) =>
        Backbone.Find(architecture)?.Preprocessing ?? (More.Any(m => m.Name == architecture) ? PreprocessConfig.Inception(224) : null);

    /// <inheritdoc/>
    public string? DefaultTag(string architecture) => null;

    /// <inheritdoc/>
    public string? HubId(string architecture, string tag) => null;
}

/// <summary>ShapedVit.Models' timm catalogue: timm's 87 architectures, their default tags, Hub repos and pretrained_cfg.</summary>
public sealed class TimmCatalogue : IPretrainedCatalogue
{
    private static readonly HashSet<string> Names = new(Timm.Names, StringComparer.Ordinal);
    private static readonly HashSet<string> PretrainedNames = new(Timm.PretrainedNames, StringComparer.Ordinal);

    /// <summary>The one instance.</summary>
    public static TimmCatalogue Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> Architectures => Timm.Names;

    /// <inheritdoc/>
    public string? ModelName(string architecture) => Names.Contains(architecture) ? architecture : null;

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Create(string architecture, int numClasses, long seed) =>
        Names.Contains(architecture) ? Timm.Create(architecture, numClasses, seed)
            : throw new ArgumentException($"{architecture} is not a timm architecture of the catalogue (Timm.Names).");

    /// <inheritdoc/>
    public PreprocessConfig? Preprocessing(string architecture, string? tag) =>
        tag is not null && PretrainedNames.Contains(architecture + "." + tag) ? Timm.PretrainedConfig(architecture + "." + tag).Preprocessing
        : Names.Contains(architecture) ? Timm.Architecture(architecture).DefaultConfig.Preprocessing
        : null;

    /// <inheritdoc/>
    public string? DefaultTag(string architecture) => Timm.HubRegistry.DefaultTag(architecture);

    /// <inheritdoc/>
    public string? HubId(string architecture, string tag) => Timm.HubRegistry.HubId(architecture, tag);
}

/// <summary>Catalogues asked in order: each question goes to the first that answers it.</summary>
/// <param name="catalogues">The catalogues, the one that wins a shared architecture first.</param>
public sealed class PretrainedCatalogues(params IPretrainedCatalogue[] catalogues) : IPretrainedCatalogue
{
    private readonly IPretrainedCatalogue[] catalogues = [.. catalogues];

    /// <summary>
    /// The CLIs' catalogue: the samples' models first, so that the paper's family (vit_tiny/small/base_patch16_224) keeps
    /// its fine-tuning backbones, whose names a fine-tuned checkpoint records and Classify finds again; then every timm
    /// architecture of ShapedVit.Models (DINOv2, CLIP, SigLIP, EVA-02, DeiT, ...). Default tags, Hub repos and preprocessing
    /// are timm's where timm knows the architecture.
    /// </summary>
    public static PretrainedCatalogues Default { get; } = new(SampleCatalogue.Instance, TimmCatalogue.Instance);

    /// <inheritdoc/>
    public IReadOnlyList<string> Architectures => [.. catalogues.SelectMany(c => c.Architectures).Distinct(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public string? ModelName(string architecture) => catalogues.Select(c => c.ModelName(architecture)).FirstOrDefault(n => n is not null);

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Create(string architecture, int numClasses, long seed)
    {
        foreach (var catalogue in catalogues)
            if (catalogue.ModelName(architecture) is not null) return catalogue.Create(architecture, numClasses, seed);
        throw new ArgumentException($"{architecture} is not a model this tool builds (known: {string.Join(", ", Architectures)}).");
    }

    /// <inheritdoc/>
    public PreprocessConfig? Preprocessing(string architecture, string? tag) =>
        // timm's pretrained_cfg of the tag is the most precise answer, so the catalogue that knows tags is asked first.
        catalogues.OrderBy(c => c is TimmCatalogue ? 0 : 1).Select(c => c.Preprocessing(architecture, tag)).FirstOrDefault(p => p is not null);

    /// <inheritdoc/>
    public string? DefaultTag(string architecture) => catalogues.Select(c => c.DefaultTag(architecture)).FirstOrDefault(t => t is not null);

    /// <inheritdoc/>
    public string? HubId(string architecture, string tag) => catalogues.Select(c => c.HubId(architecture, tag)).FirstOrDefault(t => t is not null);
}
