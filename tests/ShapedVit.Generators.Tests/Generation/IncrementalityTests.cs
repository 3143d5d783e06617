using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ShapedVit.Generators;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

public class IncrementalityTests
{
    private const string Model = """
        using ShapedVit;
        namespace Models;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class SmallVit
        {
            public int UserMember() => 1;
        }
        """;

    private static readonly string[] OurSteps = { TrackingNames.Declarations, TrackingNames.Models, TrackingNames.HintNameCollisions };

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Model, "namespace Other; public class Unrelated { }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    /// <summary>The reasons of a step's outputs; fails when the step did not run (a renamed step would otherwise pass every check vacuously).</summary>
    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step)
    {
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.True(steps.ContainsKey(step), $"step '{step}' did not run; ran: {string.Join(", ", steps.Keys)}");
        var reasons = steps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    private static Compilation ReplaceTree(Compilation compilation, int index, string text) =>
        compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.ElementAt(index),
            CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: compilation.SyntaxTrees.ElementAt(index).FilePath));

    [Fact]
    public void An_unrelated_file_edit_leaves_every_step_cached()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(ReplaceTree(compilation, 1, "namespace Other; public class Unrelated { public int Added; }"));
        foreach (var step in OurSteps)
            Assert.All(Reasons(driver, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Editing_the_class_body_reparses_but_the_equal_model_is_not_emitted_again()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(ReplaceTree(compilation, 0, Model.Replace("UserMember() => 1", "UserMember() => 2")));
        Assert.All(Reasons(driver, TrackingNames.Declarations), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(Reasons(driver, TrackingNames.HintNameCollisions), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Changing_Depth_regenerates_the_model()
    {
        var (driver, compilation) = FirstRun();
        string before = driver.GetRunResult().GeneratedTrees.Single().ToString();
        driver = driver.RunGenerators(ReplaceTree(compilation, 0, Model.Replace("Depth(2)", "Depth(3)")));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Models));
        // The names did not change, so the collision list stays equal and no other model is emitted again.
        Assert.All(Reasons(driver, TrackingNames.HintNameCollisions), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(driver));
        string after = driver.GetRunResult().GeneratedTrees.Single().ToString();
        Assert.Contains("public const int Depth = 3;", after);
        Assert.Contains("public const int Depth = 2;", before);
    }

    [Fact]
    public void Editing_one_of_two_models_emits_only_that_one_again()
    {
        const string second = """
            using ShapedVit;
            namespace Models;
            [VisionTransformer(NumClasses = 5), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            public partial class OtherVit { }
            """;
        var compilation = GeneratorHarness.Compile(Model, second);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        driver = driver.RunGenerators(ReplaceTree(compilation, 1, second.Replace("Depth(2)", "Depth(3)")));
        var outputs = OutputReasons(driver).ToList();
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, outputs.Count(r => r == IncrementalStepRunReason.Cached));
    }

    [Fact]
    public void Pipeline_values_hold_no_Roslyn_objects()
    {
        var (driver, _) = FirstRun();
        var result = driver.GetRunResult().Results.Single();
        int values = 0;
        foreach (var step in OurSteps)
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                values++;
                Assert.Null(RoslynObjectFinder.Find(output.Value));
            }
        Assert.True(values >= 2, "the steps produced no values to inspect");
    }

    [Fact]
    public void The_Roslyn_object_finder_finds_a_symbol_a_location_and_a_compilation_hidden_in_a_model()
    {
        var compilation = GeneratorHarness.Compile(Model);
        var symbol = compilation.GetTypeByMetadataName("Models.SmallVit")!;
        Assert.NotNull(RoslynObjectFinder.Find(new { Name = "x", Nested = new object[] { 1, symbol } }));
        Assert.NotNull(RoslynObjectFinder.Find(("x", Location.None)));
        Assert.NotNull(RoslynObjectFinder.Find(new List<object> { compilation }));
        Assert.Null(RoslynObjectFinder.Find(new { Name = "x", Sizes = new[] { 1, 2 } }));
    }
}

/// <summary>Walks an object graph (fields, arrays, collections) and returns the path to the first Roslyn object in it.</summary>
public static class RoslynObjectFinder
{
    public static string? Find(object? root) => Walk(root, "value", new HashSet<object>(ReferenceEqualityComparer.Instance), 0);

    private static string? Walk(object? value, string path, HashSet<object> seen, int depth)
    {
        if (value is null || depth > 20) return null;
        var type = value.GetType();
        if (IsRoslyn(type)) return $"{path}: {type.FullName}";
        if (type.IsPrimitive || value is string || type.IsEnum || value is decimal) return null;
        if (!type.IsValueType && !seen.Add(value)) return null;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items)
                if (Walk(item, $"{path}[{i++}]", seen, depth + 1) is { } found) return found;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (Walk(field.GetValue(value), $"{path}.{field.Name}", seen, depth + 1) is { } found) return found;
        return null;
    }

    private static bool IsRoslyn(Type type) => type.Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true;
}
