using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Classify;

/// <summary>
/// A model this tool can build: the name a checkpoint records (metadata <c>shapedvit.model</c>) or <c>--model</c> gives,
/// the preprocessing and labels its publisher states (used when the checkpoint states none), its declaration (read from
/// the type, no model built) and how to build it.
/// </summary>
public sealed class KnownModel(string name, string description, PreprocessConfig preprocessing, IReadOnlyList<string>? labels,
                               VitSpec? spec, Func<nn.Module<Tensor, Tensor>> create)
{
    /// <summary>A generated model type under <paramref name="name"/>: its static Spec, and its factory with seed 0.</summary>
    /// <param name="name">The name to ask for with <c>--model</c>.</param>
    /// <param name="description">What it is and where its weights come from.</param>
    /// <param name="preprocessing">The publisher's evaluation preprocessing.</param>
    /// <param name="labels">The publisher's class names, or null.</param>
    /// <param name="numClasses">The head's class count, for a model whose class count is a run-time argument (null: the declared one).</param>
    public static KnownModel Of<TModel>(string name, string description, PreprocessConfig preprocessing, IReadOnlyList<string>? labels,
                                        int? numClasses = null)
        where TModel : nn.Module<Tensor, Tensor>, IVisionTransformer<TModel> =>
        new(name, description, preprocessing, labels, numClasses is { } classes ? TModel.Spec with { NumClasses = classes } : TModel.Spec,
            () => TModel.Create(numClasses, seed: 0));

    /// <summary>The name to ask for with <c>--model</c>.</summary>
    public string Name { get; } = name;
    /// <summary>What it is and where its weights come from.</summary>
    public string Description { get; } = description;
    /// <summary>The publisher's evaluation preprocessing.</summary>
    public PreprocessConfig Preprocessing { get; } = preprocessing;
    /// <summary>The publisher's class names, or null.</summary>
    public IReadOnlyList<string>? Labels { get; } = labels;
    /// <summary>Builds the model with random weights, to load a checkpoint into.</summary>
    public nn.Module<Tensor, Tensor> Create() => create();
    /// <summary>
    /// The architecture key without the model's name: what a checkpoint of another name must match; null for a model
    /// matched by name only (a fine-tuned backbone, whose head the checkpoint's labels size).
    /// </summary>
    public string? ArchitectureShape { get; } = spec is null ? null : ModelCatalog.ShapePart(ModelArchitecture.Describe(name, spec));
}

/// <summary>The models this tool knows: the FashionMnist sample's, and the paper's family under timm's and torchvision's names.</summary>
public sealed class ModelCatalog(IReadOnlyList<KnownModel> models)
{
    /// <summary>timm's augreg ViTs: bicubic, crop 0.9, mean and std 0.5 (their pretrained_cfg).</summary>
    private static PreprocessConfig Timm => PreprocessConfig.Inception(224);
    /// <summary>torchvision's ViT weights: resize 256 bilinear, crop 224, ImageNet mean and std.</summary>
    private static PreprocessConfig Torchvision => PreprocessConfig.ImageNet(224) with { Interpolation = Interpolation.Bilinear };

    /// <summary>The head of the published ImageNet-1k weights.</summary>
    private const int ImageNetClasses = 1000;

    /// <summary>The ImageNet-1k class names shipped with this sample (torchvision's list, by class index).</summary>
    public static IReadOnlyList<string> ImageNetLabels => imageNetLabels.Value;
    private static readonly Lazy<IReadOnlyList<string>> imageNetLabels =
        new(() => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "imagenet-1k.txt")).Where(l => l.Length > 0).ToArray());

    /// <summary>Every model this tool is built with.</summary>
    public static ModelCatalog BuiltIn { get; } = new(
    [
        KnownModel.Of<FashionVit>(FashionModel.Name, "the FashionMnist sample's model (28x28 grey, 10 classes)", FashionModel.Preprocessing, FashionMnistDataset.ClassNames),
        KnownModel.Of<VitTinyPatch16>("vit_tiny_patch16_224", "timm ViT-Ti/16, ImageNet-1k", Timm, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitSmallPatch16>("vit_small_patch16_224", "timm ViT-S/16, ImageNet-1k", Timm, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitBasePatch16>("vit_base_patch16_224", "timm ViT-B/16, ImageNet-1k", Timm, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitBasePatch32>("vit_base_patch32_224", "timm ViT-B/32, ImageNet-1k", Timm, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitLargePatch16>("vit_large_patch16_224", "timm ViT-L/16, ImageNet-1k", Timm, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitBasePatch16>("vit_b_16", "torchvision ViT-B/16 (IMAGENET1K_V1)", Torchvision, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitBasePatch32>("vit_b_32", "torchvision ViT-B/32 (IMAGENET1K_V1)", Torchvision, ImageNetLabels, ImageNetClasses),
        KnownModel.Of<VitLargePatch16>("vit_l_16", "torchvision ViT-L/16 (IMAGENET1K_V1)", Torchvision, ImageNetLabels, ImageNetClasses),
    ]);

    /// <summary>The models, in the order they are listed.</summary>
    public IReadOnlyList<KnownModel> Models { get; } = models;

    /// <summary>The same catalogue with <paramref name="more"/> added (a program that declares models of its own).</summary>
    public ModelCatalog With(params KnownModel[] more) => new([.. Models, .. more]);

    /// <summary>The model named <paramref name="name"/>, or null.</summary>
    public KnownModel? Named(string name) => Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// The model for a checkpoint: <paramref name="requested"/> (<c>--model</c>) when given, else the one the metadata
    /// names, else a fine-tuned backbone or timm architecture of that name (ShapedVit.Models' catalogue), else the first
    /// whose architecture matches the metadata's; null when none fits.
    /// </summary>
    public KnownModel? Find(string? requested, CheckpointMetadata metadata)
    {
        if (requested is not null) return Named(requested);
        var byName = metadata.ModelName is { } name ? Named(name) : null;
        // A name this tool knows, unless the checkpoint records another architecture under it (FineTune's new head on
        // vit_base_patch32_224: the timm catalogue's model with the checkpoint's class count, below).
        if (byName is not null && (metadata.Architecture is null || byName.ArchitectureShape is null || byName.ArchitectureShape == ShapePart(metadata.Architecture)))
            return byName;
        // A fine-tuned backbone (samples/FineTune): its head has as many classes as the checkpoint has labels.
        if (Backbone.Find(metadata.ModelName) is { } backbone && metadata.Labels is { Count: > 0 } labels)
            return new KnownModel(backbone.Name, $"{backbone.Name} fine-tuned on {labels.Count} classes", metadata.Preprocessing ?? backbone.Preprocessing, labels,
                                  spec: null, () => backbone.Create(labels.Count, 0));
        // A timm architecture FineTune started from pretrained weights (finetune DATA_DIR --model vit_small_patch14_dinov2):
        // ShapedVit.Models builds it with the checkpoint's class count.
        if (metadata.ModelName is { } timmName && TimmCatalogue.Instance.ModelName(timmName) is not null && metadata.Labels is { Count: > 0 } timmLabels)
            return new KnownModel(timmName, $"{timmName} fine-tuned on {timmLabels.Count} classes",
                                  metadata.Preprocessing ?? TimmCatalogue.Instance.Preprocessing(timmName, null)!, timmLabels,
                                  spec: null, () => TimmCatalogue.Instance.Create(timmName, timmLabels.Count, 0));
        if (byName is not null) return byName;
        if (metadata.Architecture is not { } architecture) return null;
        string shape = ShapePart(architecture);
        return Models.FirstOrDefault(m => m.ArchitectureShape == shape);
    }

    /// <summary>An architecture key without its model name: "Name(image ...)" -> "(image ...)".</summary>
    public static string ShapePart(string architecture)
    {
        int open = architecture.IndexOf('(', StringComparison.Ordinal);
        return open < 0 ? architecture : architecture[open..];
    }
}
