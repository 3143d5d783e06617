using ShapedVit.Data;

namespace ShapedVit.Samples.Shared;

/// <summary>Reads Fashion-MNIST's four IDX files (raw or gzipped) into labelled images for training.</summary>
public static class FashionMnistFiles
{
    /// <summary>Loads the training and test sets from a folder with the four IDX files, raw or gzipped (.gz).</summary>
    public static (LabeledImages Train, LabeledImages Test) Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Data folder '{directory}' does not exist.");
        var train = FromIdx(Find(directory, FashionMnistDataset.TrainImages), Find(directory, FashionMnistDataset.TrainLabels), FashionMnistDataset.ClassNames);
        var test = FromIdx(Find(directory, FashionMnistDataset.TestImages), Find(directory, FashionMnistDataset.TestLabels), FashionMnistDataset.ClassNames);
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

    /// <summary>Reads an IDX image file ([N,H,W] or [N,C,H,W]) and its IDX label file ([N]) and checks they agree.</summary>
    public static LabeledImages FromIdx(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Length is not (3 or 4))
            throw new IdxFormatException($"{imagesPath}: images must have rank 3 [N,H,W] or 4 [N,C,H,W], got [{string.Join(",", images.Dimensions)}].");
        if (labels.Dimensions.Length != 1)
            throw new IdxFormatException($"{labelsPath}: labels must have rank 1 [N], got [{string.Join(",", labels.Dimensions)}].");
        if (images.Count != labels.Count)
            throw new IdxFormatException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels.");
        int channels = images.Dimensions.Length == 4 ? images.Dimensions[1] : 1;
        int height = images.Dimensions[^2], width = images.Dimensions[^1];
        for (int i = 0; i < labels.Data.Length; i++)
            if (labels.Data[i] >= classNames.Count)
                throw new IdxFormatException($"{labelsPath}: label {labels.Data[i]} at index {i} is outside the {classNames.Count} classes.");
        return new LabeledImages(images.Data, Array.ConvertAll(labels.Data, label => (int)label), channels, height, width, classNames);
    }
}
