using ShapedVit.Data;
using ShapedVit.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.FashionMnist;

/// <summary>The model the sample trains, its architecture key and its preprocessing.</summary>
public static class FashionModel
{
    public const string Name = "FashionVit";

    public static nn.Module<Tensor, Tensor> Create(long seed) => new StandInVit(4, 64, 4, 4, 128, true, 0.0, seed);

    /// <summary>Saved with the weights; a checkpoint of another architecture is not overwritten without --force.</summary>
    public static string Architecture => "StandInVit(image 28x28x1, patch 4, embed 64, depth 4, heads 4, mlp 128, classes 10, pooling Mean)";

    /// <summary>28x28 grey, no resize or crop, the data set's mean and std.</summary>
    public static PreprocessConfig Preprocessing => new(28, 1.0, [FashionMnistDataset.Mean], [FashionMnistDataset.Std], Channels: 1);
}
