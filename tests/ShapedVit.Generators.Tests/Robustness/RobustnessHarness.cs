using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using ShapedVit.Tests.Infrastructure;
using VisionTransformerAnalyzer = ShapedVit.Generators.VisionTransformerAnalyzer;
using VisionTransformerGenerator = ShapedVit.Generators.VisionTransformerGenerator;

namespace ShapedVit.Tests.Robustness;

/// <summary>What the generator and analyzer made of one source file of a batch.</summary>
public sealed record CaseOutcome(
    int Index,
    string Source,
    ImmutableArray<Diagnostic> Svit,
    ImmutableArray<string> GeneratedSources,
    ImmutableArray<Diagnostic> InputProblems,
    ImmutableArray<Diagnostic> GenerationProblems)
{
    public IEnumerable<Diagnostic> SvitErrors => Svit.Where(d => d.Severity == DiagnosticSeverity.Error);
    public bool Generated => GeneratedSources.Length > 0;
    /// <summary>A working model was generated (not only the surface of a declaration with errors).</summary>
    public bool IsModel => GeneratedSources.Any(s => s.Contains("RegisterComponents();", StringComparison.Ordinal));

    public string Describe() =>
        $"--- source ---\n{Source}\n--- ShapedVit diagnostics ---\n{Lines(Svit)}\n--- C# errors/warnings of the source alone ---\n{Lines(InputProblems)}" +
        $"\n--- errors/warnings added by generation ---\n{Lines(GenerationProblems)}\n--- generated files: {GeneratedSources.Length} ---";

    private static string Lines(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => "  " + d)) is { Length: > 0 } text ? text : "  (none)";
}

/// <summary>A batch's crashes, which belong to no one case.</summary>
public sealed record BatchOutcome(IReadOnlyList<CaseOutcome> Cases, ImmutableArray<string> Crashes);

/// <summary>
/// Runs many independent source files through the generator and the analyzer in one compilation (one tree per case, so
/// diagnostics map back to their case) and records crashes instead of letting them pass silently.
/// </summary>
public static class RobustnessHarness
{
    private static readonly DiagnosticAnalyzer[] Analyzers = { new VisionTransformerAnalyzer() };

    /// <param name="sources">One case per source; each must declare uniquely named types so cases do not collide.</param>
    /// <param name="sourcesCompileCleanly">True when every source is known to be valid C#: then every error or warning after
    /// generation is blamed on the generator, and the source-only compilation is not bound a second time.</param>
    /// <param name="bindEachGeneratedTemplateOnce">Bind the method bodies of only one generated file per template (see
    /// <see cref="DiagnosticsBindingEachTemplateOnce"/>); every file's syntax and declarations are still checked.</param>
    public static BatchOutcome Run(IReadOnlyList<string> sources, bool sourcesCompileCleanly = false, bool withAnalyzer = true,
                                   bool bindEachGeneratedTemplateOnce = false)
    {
        var input = GeneratorHarness.Compile(sources.ToArray());
        var crashes = new List<string>();

        // No step tracking: it costs time and these tests only look at outputs.
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new VisionTransformerGenerator().AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var generatorDiagnostics);
        foreach (var result in driver.GetRunResult().Results)
            if (result.Exception is not null) crashes.Add("generator threw: " + result.Exception);
        foreach (var diagnostic in generatorDiagnostics)
            crashes.Add("generator reported: " + diagnostic); // the generator itself reports nothing; CS8785 means it failed

        var analyzerExceptions = new ConcurrentBag<string>();
        var svit = ImmutableArray<Diagnostic>.Empty;
        if (withAnalyzer)
        {
            var options = new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (exception, analyzer, diagnostic) => analyzerExceptions.Add("analyzer threw: " + exception),
                concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            var analyzerDiagnostics = input.WithAnalyzers(Analyzers.ToImmutableArray(), options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            foreach (var diagnostic in analyzerDiagnostics)
                if (!diagnostic.Id.StartsWith("SVIT", StringComparison.Ordinal)) crashes.Add("analyzer reported: " + diagnostic); // AD0001
            svit = analyzerDiagnostics.Where(d => d.Id.StartsWith("SVIT", StringComparison.Ordinal)).ToImmutableArray();
        }
        crashes.AddRange(analyzerExceptions);

        // Which case each tree belongs to: user trees by position, generated trees by the declared model's own declaration.
        var caseOfTree = new Dictionary<SyntaxTree, int>();
        for (int i = 0; i < input.SyntaxTrees.Count(); i++) caseOfTree[input.SyntaxTrees.ElementAt(i)] = i;
        var userTrees = new HashSet<SyntaxTree>(input.SyntaxTrees);
        var generated = new Dictionary<int, List<string>>();
        foreach (var tree in output.SyntaxTrees.Where(t => !userTrees.Contains(t)))
        {
            int owner = OwnerOf(output, tree, caseOfTree);
            if (owner < 0) { crashes.Add("generated file with no declaring case: " + tree.FilePath); continue; }
            caseOfTree[tree] = owner;
            (generated.TryGetValue(owner, out var list) ? list : generated[owner] = new List<string>()).Add(tree.ToString());
        }

        static bool Problem(Diagnostic d) => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed;
        var before = sourcesCompileCleanly ? ImmutableArray<Diagnostic>.Empty : input.GetDiagnostics().Where(Problem).ToImmutableArray();
        var beforeKeys = new HashSet<string>(before.Select(Key));
        var after = bindEachGeneratedTemplateOnce ? DiagnosticsBindingEachTemplateOnce(output, userTrees) : output.GetDiagnostics();
        var added = after.Where(Problem).Where(d => !beforeKeys.Contains(Key(d))).ToList();

        var cases = new List<CaseOutcome>();
        for (int i = 0; i < sources.Count; i++)
        {
            bool Mine(Diagnostic d) => d.Location.SourceTree is { } t && caseOfTree.TryGetValue(t, out var owner) && owner == i;
            cases.Add(new CaseOutcome(i, sources[i],
                svit.Where(Mine).ToImmutableArray(),
                generated.TryGetValue(i, out var files) ? files.ToImmutableArray() : ImmutableArray<string>.Empty,
                before.Where(Mine).ToImmutableArray(),
                added.Where(Mine).ToImmutableArray()));
        }
        foreach (var orphan in added.Concat(svit).Where(d => d.Location.SourceTree is not { } t || !caseOfTree.ContainsKey(t)))
            crashes.Add("diagnostic outside every case: " + orphan);
        return new BatchOutcome(cases, crashes.ToImmutableArray());
    }

    /// <summary>Runs a single case on its own.</summary>
    public static (CaseOutcome Case, ImmutableArray<string> Crashes) RunOne(string source)
    {
        var batch = Run(new[] { source });
        return (batch.Cases[0], batch.Crashes);
    }

    /// <summary>
    /// The compilation's diagnostics, binding the method bodies of generated files once per template: files whose tokens are
    /// the same once numeric literals and digits in names are replaced (comments and white space left out) differ only in
    /// numbers and the model's name, and a number can change a body's validity only through a malformed or out-of-range
    /// literal, which syntax diagnostics report (doc-comment XML is checked there too). Every
    /// file still gets its syntax and declaration diagnostics, which include the generated constants' values. Binding
    /// thousands of TorchSharp-heavy bodies is what would otherwise make the fuzz slow.
    /// A template whose body has problems is reported in the batch that binds it first.
    /// </summary>
    private static IEnumerable<Diagnostic> DiagnosticsBindingEachTemplateOnce(Compilation output, HashSet<SyntaxTree> userTrees)
    {
        var diagnostics = new List<Diagnostic>(output.GetParseDiagnostics());
        diagnostics.AddRange(output.GetDeclarationDiagnostics());
        foreach (var tree in output.SyntaxTrees)
            if (userTrees.Contains(tree) || BoundTemplates.TryAdd(Template(tree), 0))
                diagnostics.AddRange(output.GetSemanticModel(tree).GetMethodBodyDiagnostics());
        return diagnostics;
    }

    private static string Template(SyntaxTree tree) =>
        string.Join(" ", tree.GetRoot().DescendantTokens().Select(t => t.IsKind(SyntaxKind.NumericLiteralToken) ? "0" : Digits.Replace(t.Text, "0")));

    private static readonly Regex Digits = new("[0-9]+", RegexOptions.Compiled);

    /// <summary>Templates already bound, shared by batches (the argument above holds across compilations); a template's problems are reported with the batch that bound it.</summary>
    private static readonly ConcurrentDictionary<string, byte> BoundTemplates = new();

    private static string Key(Diagnostic d) => $"{d.Id}|{d.Location.SourceTree?.FilePath}|{d.Location.SourceSpan}|{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The case whose source declares the model (or its containing types) that a generated file extends.</summary>
    private static int OwnerOf(Compilation output, SyntaxTree tree, Dictionary<SyntaxTree, int> caseOfTree)
    {
        var model = output.GetSemanticModel(tree);
        foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(declaration) is not { } symbol) continue;
            foreach (var reference in symbol.DeclaringSyntaxReferences)
                if (reference.SyntaxTree != tree && caseOfTree.TryGetValue(reference.SyntaxTree, out var owner)) return owner;
        }
        return -1;
    }
}
