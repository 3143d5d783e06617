using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Infrastructure;
using ShapedVit.Tests.Robustness;

namespace ShapedVit.Tests.Generation;

/// <summary>
/// A declaration with ShapedVit errors still gets its public surface, so the code that uses the model compiles and a build
/// (or an editor) shows the SVIT errors and nothing else: no CS1739 'seed', CS1061 'forward', CS0117 'ParameterCount'.
/// </summary>
public class NoCascadeTests
{
    /// <summary>The README's "Using ShapedVit in your project" Program.cs, verbatim.</summary>
    public const string ReadmeProgram = """
        using ShapedVit;
        using TorchSharp;

        // Shapes are per image (the batch is left out); the build fails if an expectation is wrong.
        using var model = new TinyVit(seed: 0);
        model.eval();
        using var noGrad = torch.no_grad();
        using var images = torch.randn(2, 3, 32, 32);
        using var logits = model.forward(images);
        Console.WriteLine($"logits: [{string.Join(", ", logits.shape)}]");
        Console.WriteLine($"parameters: {TinyVit.ParameterCount:N0}");

        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        [ExpectShape(Stage.PatchTokens, 16, 64), ExpectShape(Stage.Tokens, 17, 64), ExpectShape(Stage.Logits, 10)]
        public partial class TinyVit { }
        """;

    /// <summary>The README's example after <c>sed -i 's/Patch(8)/Patch(6)/'</c>.</summary>
    public static string ReadmeProgramWithPatch6 => ReadmeProgram.Replace("Patch(8)", "Patch(6)");

    /// <summary>An app: top-level statements with implicit usings, as <c>dotnet new console</c> makes it.</summary>
    public static CSharpCompilationFor App(string program) => new(GeneratorHarness.Compile(OutputKind.ConsoleApplication, program, "global using System;"));

    public sealed record CSharpCompilationFor(Microsoft.CodeAnalysis.CSharp.CSharpCompilation Compilation);

    [Fact]
    public void The_readme_example_builds_clean()
    {
        var problems = GeneratorHarness.BuildDiagnostics(App(ReadmeProgram).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_readme_example_with_patch_6_shows_exactly_its_two_SVIT0001_errors_and_nothing_else()
    {
        var problems = GeneratorHarness.BuildDiagnostics(App(ReadmeProgramWithPatch6).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Select(d => d.Id).SequenceEqual(new[] { "SVIT0001", "SVIT0001" }), string.Join("\n", problems));
        Assert.Equal(
            new[]
            {
                "Image height 32 is not divisible by patch height 6: use a patch height that divides 32 (nearest: 4, 8) or an image height that is a multiple of 6 (30, 36)",
                "Image width 32 is not divisible by patch width 6: use a patch width that divides 32 (nearest: 4, 8) or an image width that is a multiple of 6 (30, 36)",
            },
            problems.Select(d => d.GetMessage()).Order());
    }

    [Fact]
    public void A_run_time_class_count_with_an_error_keeps_its_numClasses_constructor_and_instance_counts()
    {
        var program = ReadmeProgramWithPatch6.Replace("new TinyVit(seed: 0)", "new TinyVit(numClasses: 7, seed: 0)")
            .Replace("TinyVit.ParameterCount:N0", "model.ParameterCount:N0} {TinyVit.ParameterCountFor(7)")
            .Replace("[VisionTransformer(NumClasses = 10)]", "[VisionTransformer(RuntimeNumClasses = true)]")
            .Replace(", ExpectShape(Stage.Logits, 10)", "");
        var problems = GeneratorHarness.BuildDiagnostics(App(program).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Select(d => d.Id).SequenceEqual(new[] { "SVIT0001", "SVIT0001" }), string.Join("\n", problems));
        var valid = GeneratorHarness.BuildDiagnostics(App(program.Replace("Patch(6)", "Patch(8)")).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(valid.Count == 0, string.Join("\n", valid));
    }

    /// <summary>
    /// A class the generator refuses for its C# form but can still give a surface: the README program, its model declared
    /// so, also used through the interface, shows the one SVIT error and no CS1674 ('using'), CS1739 ('seed'), CS1061
    /// ('eval', 'forward') or CS0117 ('ParameterCount').
    /// </summary>
    [Theory]
    [InlineData("public partial class TinyVit(int width) { public int Width => width; }", "SVIT0021")]
    [InlineData("public partial class TinyVit() { }", "SVIT0021")]
    [InlineData("public partial class TinyVit(string name, params int[] sizes) { public object Sizes => (name, sizes); }", "SVIT0021")]
    [InlineData("public partial class TinyVit(long? seed) { public long? Seed => seed; }", "SVIT0021,SVIT0019")]
    [InlineData("public partial class TinyVit(int width) : System.IDisposable { public void Dispose() { } public TinyVit eval() => this; public int Width => width; }", "SVIT0021")]
    public void A_refused_class_form_shows_only_its_own_SVIT_errors(string declaration, string ids)
    {
        var program = ReadmeProgram.Replace("public partial class TinyVit { }", declaration)
            .Replace("Console.WriteLine($\"parameters:", "ShapedVit.IVisionTransformer vit = model;\nusing var features = model.ForwardFeatures(images);\nConsole.WriteLine($\"parameters:");
        var problems = GeneratorHarness.BuildDiagnostics(App(program).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Select(d => d.Id).Order(StringComparer.Ordinal).SequenceEqual(ids.Split(',').Order(StringComparer.Ordinal)), string.Join("\n", problems));
    }

    [Fact]
    public void The_surface_keeps_what_the_declaration_proves_as_constants_and_throws_for_the_rest()
    {
        var run = GeneratorHarness.Run(App(ReadmeProgramWithPatch6).Compilation);
        var surface = Assert.Single(run.GeneratedSources).Value;
        Assert.Contains("public const int ImageHeight = 32;", surface);
        Assert.Contains("public const int PatchHeight = 6;", surface);
        Assert.Contains("public const int HeadDim = 16;", surface);
        Assert.Contains("public static int NumPatches => throw DeclarationErrors();", surface);
        Assert.Contains("public static long ParameterCount => throw DeclarationErrors();", surface);
        Assert.Contains("SVIT0001: Image height 32 is not divisible by patch height 6", surface);
    }

    /// <summary>
    /// Invalid declarations of the fuzz corpus, each used from code the way an app would (constructor, eval, forward and
    /// the other members, constants, Spec, Geometry, the interface): C# reports nothing, only the analyzer's SVIT errors.
    /// </summary>
    [Fact]
    public void Invalid_fuzz_declarations_used_from_code_give_no_error_but_their_SVIT_ones()
    {
        var cases = Enumerable.Range(0, 400).Select(i => RandomDeclarationFuzzTests.MakeCase(20_240_611 + i)).Where(c => !c.Verdict.Valid).Take(60).ToList();
        Assert.True(cases.Count >= 40, $"only {cases.Count} invalid cases");
        var sources = cases.Select(c => c.Source).Concat(cases.Select(c => Usage(c.Seed))).ToArray();
        var diagnostics = GeneratorHarness.BuildDiagnostics(sources);
        var notOurs = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.Id.StartsWith("SVIT", StringComparison.Ordinal)).ToList();
        Assert.True(notOurs.Count == 0, string.Join("\n", notOurs.Take(20)));
        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error); // the SVIT errors are still there
    }

    private static string Usage(int seed)
    {
        string suffix = seed.ToString(System.Globalization.CultureInfo.InvariantCulture).Replace('-', 'm');
        return $$"""
            namespace Fuzz.S{{suffix}}.Uses;
            internal static class Use
            {
                public static object[] Run(TorchSharp.torch.Tensor images)
                {
                    using var model = new Fuzz.S{{suffix}}.Model{{suffix}}(seed: 0);
                    model.eval();
                    using var logits = model.forward(images);
                    using var features = model.ForwardFeatures(images);
                    using var pooled = model.ForwardHead(features, preLogits: true);
                    var intermediates = model.ForwardWithIntermediates(images, attention: true);
                    ShapedVit.IVisionTransformer vit = model;
                    long parameters = Fuzz.S{{suffix}}.Model{{suffix}}.ParameterCount + Fuzz.S{{suffix}}.Model{{suffix}}.Macs;
                    return new object[]
                    {
                        intermediates, vit.Spec, vit.Geometry, parameters, Fuzz.S{{suffix}}.Model{{suffix}}.ShapeTrace,
                        Fuzz.S{{suffix}}.Model{{suffix}}.Spec, Fuzz.S{{suffix}}.Model{{suffix}}.Geometry,
                        Fuzz.S{{suffix}}.Model{{suffix}}.ImageHeight, Fuzz.S{{suffix}}.Model{{suffix}}.NumPatches, Fuzz.S{{suffix}}.Model{{suffix}}.SequenceLength,
                        Fuzz.S{{suffix}}.Model{{suffix}}.EmbedDim, Fuzz.S{{suffix}}.Model{{suffix}}.HeadDim, Fuzz.S{{suffix}}.Model{{suffix}}.NumClasses,
                        Fuzz.S{{suffix}}.Model{{suffix}}.LayerNormEps,
                    };
                }
            }
            """;
    }
}

/// <summary>Hint names are compared ignoring case: models whose names differ only in case each get their file.</summary>
public class HintNameTests
{
    [Fact]
    public void Models_whose_names_differ_only_in_case_both_generate_and_every_other_model_too()
    {
        var run = GeneratorHarness.Run("""
            using ShapedVit;
            namespace Models;
            [VisionTransformer(NumClasses = 10), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            public partial class Vit { }
            [VisionTransformer(NumClasses = 5), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            public partial class VIT { }
            [VisionTransformer(NumClasses = 3), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            public partial class Other { }
            """);
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "Models.Other.g.cs", "Models.VIT.g.cs", "Models.Vit.2.g.cs" }, run.GeneratedSources.Keys.Order(StringComparer.Ordinal));
        var problems = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
