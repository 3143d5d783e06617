namespace ShapedVit.Training.Tests;

/// <summary>Class names for the 10-class models these tests train (Training knows no data set's names).</summary>
internal static class TenClasses
{
    public static readonly IReadOnlyList<string> Names = Enumerable.Range(0, 10).Select(i => $"class {i}").ToArray();
}
