namespace ShapedVit.Samples.Shared;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research, 2017; MIT licence): 28x28 grey images of 10 kinds of
/// clothing. What a model trained on it needs to classify (names, normalisation); reading the files is
/// <c>FashionMnistFiles</c>'s, in the training samples' project.
/// </summary>
public static class FashionMnistDataset
{
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Mean and standard deviation of the training pixels (scaled to 0..1), the usual normalisation.</summary>
    public const float Mean = 0.2860f;
    public const float Std = 0.3530f;

    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";
}
