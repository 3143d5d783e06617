using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Shared;

/// <summary>The model the sample trains, its architecture key and its preprocessing.</summary>
public static class FashionModel
{
    public const string Name = nameof(FashionVit);

    public static FashionVit Create(long seed) => new(seed);

    /// <summary>Saved with the weights; a checkpoint of another architecture is not overwritten without --force.</summary>
    public static string Architecture { get; } = ModelArchitecture.Describe(Name, FashionVit.Spec);

    /// <summary>What the checkpoint says of the model: name, architecture, class names and preprocessing.</summary>
    public static CheckpointMetadata Metadata => new() { ModelName = Name, Architecture = Architecture, Labels = FashionMnistDataset.ClassNames, Preprocessing = Preprocessing };

    /// <summary>28x28 grey, no resize or crop, the data set's mean and std.</summary>
    public static PreprocessConfig Preprocessing => new(FashionVit.ImageHeight, 1.0, [FashionMnistDataset.Mean], [FashionMnistDataset.Std], Channels: FashionVit.Channels);
}
