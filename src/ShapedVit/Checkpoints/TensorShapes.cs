using System.Globalization;

namespace ShapedVit.Checkpoints;

/// <summary>Shapes as text for messages ("[1,197,768]"), without reference to any model's geometry.</summary>
internal static class TensorShapes
{
    public static string Format(IReadOnlyList<long> dims) => "[" + string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
