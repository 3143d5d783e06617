using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using VisionTransformerAnalyzer = ShapedVit.Generators.VisionTransformerAnalyzer;
using VisionTransformerGenerator = ShapedVit.Generators.VisionTransformerGenerator;

namespace ShapedVit.Tests.Infrastructure;

/// <summary>Compiles user code with the ShapedVit generator and analyzer, as the user's compiler and IDE would.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    internal static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() => ShapedVit.Testing.UserCompilationReferences.Load("ShapedVit.Generators.Tests"));

    public static CSharpCompilation Compile(params string[] sources) => Compile(OutputKind.DynamicallyLinkedLibrary, sources);

    /// <summary>A user project of the given kind (an app with top-level statements is a console application).</summary>
    public static CSharpCompilation Compile(OutputKind kind, params string[] sources) =>
        CSharpCompilation.Create(
            "UserModels",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new VisionTransformerGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the compilation with generated files added and the generator's own diagnostics.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver, compilation, output, generatorDiagnostics);
    }

    /// <summary>The analyzer's diagnostics for a compilation (the user's squiggles).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation)
    {
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new VisionTransformerAnalyzer()));
        return withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    /// <summary>Every diagnostic a build shows: compiler (after generation), generator and analyzer, suppressed ones left out.</summary>
    public static ImmutableArray<Diagnostic> BuildDiagnostics(params string[] sources) => BuildDiagnostics(Compile(sources));

    public static ImmutableArray<Diagnostic> BuildDiagnostics(CSharpCompilation compilation)
    {
        var run = Run(compilation);
        return run.Output.GetDiagnostics()
            .Concat(run.GeneratorDiagnostics)
            .Concat(Analyze(run.Output))
            .Where(d => !d.IsSuppressed)
            .ToImmutableArray();
    }
}

public sealed record GeneratorRun(GeneratorDriver Driver, Compilation Input, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public GeneratorDriverRunResult Result => Driver.GetRunResult();

    /// <summary>The generated files, by hint name.</summary>
    public IReadOnlyDictionary<string, string> GeneratedSources =>
        Result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
}
