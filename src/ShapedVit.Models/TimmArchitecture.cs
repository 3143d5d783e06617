using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Models;

/// <summary>
/// One architecture timm registers (<c>vit_small_patch14_dinov2</c>), its generated declaration and its pretrained tags.
/// The declaration takes its class count at run time, so every tag's head (or none) and any other count build from it.
/// </summary>
public sealed class TimmArchitecture
{
    private readonly Func<int, long?, nn.Module<Tensor, Tensor>> create;
    private readonly Func<int, long> parameterCount;

    private TimmArchitecture(string name, string family, string timmClass, string defaultTag, Type modelType, VitSpec spec,
                             Func<int, long?, nn.Module<Tensor, Tensor>> create, Func<int, long> parameterCount, TimmPretrainedConfig[] pretrained,
                             TimmPretrainedConfig? untrained)
    {
        Name = name; Family = family; TimmClass = timmClass; DefaultTag = defaultTag; ModelType = modelType; Spec = spec;
        this.create = create;
        this.parameterCount = parameterCount;
        Pretrained = pretrained;
        DefaultConfig = untrained ?? pretrained.FirstOrDefault(p => p.Tag == defaultTag)
            ?? throw new ArgumentException($"{name}: the default tag '{defaultTag}' has no pretrained_cfg.", nameof(defaultTag));
    }

    /// <summary>The catalogue's entry for the generated type <typeparamref name="TModel"/> (<paramref name="parameterCount"/>: its generated <c>ParameterCountFor</c>).</summary>
    internal static TimmArchitecture Of<TModel>(string name, string family, string timmClass, string defaultTag, Func<int, long> parameterCount,
                                                TimmPretrainedConfig[] pretrained, TimmPretrainedConfig? untrained = null)
        where TModel : nn.Module<Tensor, Tensor>, IVisionTransformer<TModel> =>
        new(name, family, timmClass, defaultTag, typeof(TModel), TModel.Spec, (classes, seed) => TModel.Create(classes, seed), parameterCount, pretrained, untrained);

    /// <summary>timm's architecture name (<c>vit_small_patch14_dinov2</c>).</summary>
    public string Name { get; }
    /// <summary>The family: vit, vit-gap, deit, deit3, clip, clip-quickgelu, siglip, dinov2 or eva02.</summary>
    public string Family { get; }
    /// <summary>timm's model class: <c>VisionTransformer</c>, <c>VisionTransformerDistilled</c> or <c>Eva</c>.</summary>
    public string TimmClass { get; }
    /// <summary>timm's default pretrained tag: what the bare name means (<c>untrained</c> where timm publishes no weights).</summary>
    public string DefaultTag { get; }
    /// <summary>The default tag's <c>pretrained_cfg</c>, which a bare name builds with.</summary>
    public TimmPretrainedConfig DefaultConfig { get; }
    /// <summary>Every tag with published weights, by name.</summary>
    public IReadOnlyList<TimmPretrainedConfig> Pretrained { get; }
    /// <summary>The generated model type (in <c>ShapedVit.Models.Catalogue</c>).</summary>
    public Type ModelType { get; }
    /// <summary>The declaration, a compile-time fact: its class count is a run-time argument (<see cref="VitSpec.RuntimeNumClasses"/>).</summary>
    public VitSpec Spec { get; }

    /// <summary>The proven shapes and sizes with <paramref name="numClasses"/> classes (null: the default tag's), without building a model.</summary>
    public VitGeometry Geometry(int? numClasses = null) => VitGeometry.Create(Spec with { NumClasses = numClasses ?? DefaultConfig.NumClasses });

    /// <summary>Trainable parameters with <paramref name="numClasses"/> classes (null: the default tag's; 0: headless), exactly, as the
    /// generator proved them (the generated type's <c>ParameterCountFor</c>): no model is built.</summary>
    public long ParameterCount(int? numClasses = null) => parameterCount(numClasses ?? DefaultConfig.NumClasses);

    /// <summary>Builds the model with <paramref name="numClasses"/> classes (0: headless) and timm's initialisation.</summary>
    internal nn.Module<Tensor, Tensor> Create(int numClasses, long? seed) => create(numClasses, seed);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
