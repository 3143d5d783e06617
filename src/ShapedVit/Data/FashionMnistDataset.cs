namespace ShapedVit.Data;

/// <summary>Fashion-MNIST (Xiao, Rasul and Vollgraf, Zalando Research, 2017; MIT licence): 28x28 grey images of 10 kinds of clothing.</summary>
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

    /// <summary>Loads the training and test sets from a folder with the four IDX files, raw or gzipped (.gz).</summary>
    public static (LabeledImages Train, LabeledImages Test) Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Data folder '{directory}' does not exist.");
        var train = LabeledImages.FromIdx(Find(directory, TrainImages), Find(directory, TrainLabels), ClassNames);
        var test = LabeledImages.FromIdx(Find(directory, TestImages), Find(directory, TestLabels), ClassNames);
        if (train.Height != test.Height || train.Width != test.Width || train.Channels != test.Channels)
            throw new IdxFormatException($"{directory}: training images are {train.Height}x{train.Width}, test images {test.Height}x{test.Width}.");
        return (train, test);
    }

    /// <summary>The file named <paramref name="baseName"/> or <paramref name="baseName"/>.gz in <paramref name="directory"/>.</summary>
    public static string Find(string directory, string baseName)
    {
        foreach (string candidate in new[] { baseName, baseName + ".gz", baseName.Replace("-idx", ".idx", StringComparison.Ordinal), baseName.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz" })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"'{directory}' has no {baseName} or {baseName}.gz (expected the four Fashion-MNIST IDX files).");
    }
}
