using ShapedVit.Data;

namespace ShapedVit.Training.Tests;

/// <summary>The evaluation form of an in-memory data set: its normalisation without the random steps.</summary>
internal static class Unaugmented
{
    public static LabeledImages WithoutAugmentation(this LabeledImages data) => data.WithTransform(data.Transform.WithSteps());
}
