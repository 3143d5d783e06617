using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Classify;

/// <summary>A model this tool can build from a checkpoint's metadata: its architecture key, default preprocessing and constructor.</summary>
public sealed record KnownModel(string Name, string Architecture, PreprocessConfig Preprocessing, Func<nn.Module<Tensor, Tensor>> Create);

/// <summary>The generated models this tool knows, by the name a checkpoint records (metadata "shapedvit.model").</summary>
public static class ModelCatalog
{
    public static readonly IReadOnlyList<KnownModel> Models =
    [
        new(FashionModel.Name, FashionModel.Architecture, FashionModel.Preprocessing, () => FashionModel.Create(0)),
    ];

    public static KnownModel? Find(string? name, string? architecture) =>
        Models.FirstOrDefault(m => m.Name == name && m.Architecture == architecture)
        ?? Models.FirstOrDefault(m => m.Architecture == architecture);
}
