using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using VisionTransformerAnalyzer = ShapedVit.Generators.VisionTransformerAnalyzer;

namespace ShapedVit.Tests.Infrastructure;

/// <summary>
/// Asks the real code fix providers for their actions, the way an IDE does (one request per diagnostic span, with every
/// diagnostic on that span), and applies one: so a test can judge a fix by the build it leaves, not by its title.
/// </summary>
public static class CodeFixApplier
{
    public static readonly ImmutableArray<CodeFixProvider> Providers = ImmutableArray.Create<CodeFixProvider>(
        new ShapedVit.CodeFixes.PatchSizeCodeFix(), new ShapedVit.CodeFixes.HeadsCodeFix(),
        new ShapedVit.CodeFixes.ExpectShapeCodeFix(), new ShapedVit.CodeFixes.AddPartialCodeFix(), new ShapedVit.CodeFixes.OptionArgumentCodeFix());

    public sealed record Offer(CodeFixProvider Provider, TextSpan Span, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<CodeAction> Actions);

    public static Document Document(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "User", "User", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: GeneratorHarness.ParseOptions, metadataReferences: GeneratorHarness.References.Value));
        return workspace.AddDocument(project.Id, "Program.cs", SourceText.From(source));
    }

    /// <summary>The analyzer's diagnostics of the document (no generated code is needed for them).</summary>
    public static async Task<ImmutableArray<Diagnostic>> Diagnostics(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        return await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new VisionTransformerAnalyzer())).GetAnalyzerDiagnosticsAsync();
    }

    /// <summary>Every provider's actions, per diagnostic span, in source order.</summary>
    public static async Task<List<Offer>> Offers(Document document, string? id = null)
    {
        var diagnostics = (await Diagnostics(document)).Where(d => id is null || d.Id == id).ToList();
        var offers = new List<Offer>();
        foreach (var provider in Providers)
            foreach (var group in diagnostics.Where(d => provider.FixableDiagnosticIds.Contains(d.Id)).GroupBy(d => d.Location.SourceSpan).OrderBy(g => g.Key.Start))
            {
                var actions = new List<CodeAction>();
                var context = new CodeFixContext(document, group.Key, group.ToImmutableArray(), (action, _) => actions.Add(action), CancellationToken.None);
                await provider.RegisterCodeFixesAsync(context);
                if (actions.Count > 0) offers.Add(new Offer(provider, group.Key, group.ToImmutableArray(), actions.ToImmutableArray()));
            }
        return offers;
    }

    /// <summary>The document's text after one action.</summary>
    public static async Task<string> Apply(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }
}
