using System.Reflection;
using System.Text.Json;
using ShapedVit.Testing;

namespace ShapedVit.Samples.Tests;

/// <summary>Samples cost what they use: what each sample's built deps.json ships, read after the build.</summary>
public class SampleReferencesTests
{
    /// <summary>What an inference-only sample must not carry: the trainer, the console UI, the plotting library.</summary>
    private static readonly string[] TrainingOnly = ["ShapedVit.Training", "Spectre.Console", "ScottPlot"];

    public static TheoryData<string, string, string[], string[]> Samples => new()
    {
        { "Classify", "classify", ["ShapedVit", "ShapedVit.Vision", "ShapedVit.Onnx", "ShapedVit.Samples.Shared", "ShapedVit.Hub", "ShapedVit.Models", "ShapedVit.Samples.Shared.Hub"], TrainingOnly },
        // ShapedVit.Models brings ShapedVit.Hub (plain .NET, no dependencies) for Timm.Create(name, pretrained: true), so
        // Variants ships it too; what it must still not carry is the image, ONNX and training stack.
        { "Variants", "variants", ["ShapedVit", "ShapedVit.Models", "ShapedVit.Samples.Shared"], [.. TrainingOnly, "ShapedVit.Vision", "ShapedVit.Onnx", "ShapedVit.Samples.Shared.Hub"] },
        { "FineTune", "finetune", ["ShapedVit.Training", "ShapedVit.Samples.Shared.Training", "Spectre.Console", "ScottPlot", "ShapedVit.Hub", "ShapedVit.Models"], [] },
        { "FashionMnist", "fashion-mnist", ["ShapedVit.Training", "ShapedVit.Samples.Shared.Training", "Spectre.Console", "ScottPlot"], ["ShapedVit.Hub", "ShapedVit.Models"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_sample_ships_only_what_it_uses(string folder, string assembly, string[] present, string[] absent)
    {
        var libraries = Libraries(folder, assembly);
        Assert.All(present, name => Assert.True(libraries.Contains(name), $"{assembly} should reference {name}; it ships {string.Join(", ", libraries.Order())}"));
        Assert.All(absent, name => Assert.False(libraries.Contains(name), $"{assembly} ships {name}, which it does not use"));
    }

    /// <summary>The library names in the sample's deps.json, built with the configuration this test assembly was built with.</summary>
    private static HashSet<string> Libraries(string folder, string assembly)
    {
        string configuration = typeof(SampleReferencesTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string path = Path.Combine(RepositoryRoot.Path, "samples", folder, "bin", configuration, "net10.0", assembly + ".deps.json");
        Assert.True(File.Exists(path), $"{path} is missing: build the sample (the test project references it, so building the tests builds it).");
        using var deps = JsonDocument.Parse(File.ReadAllText(path));
        return deps.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
    }
}
