using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using VisionTransformerAnalyzer = ShapedVit.Generators.VisionTransformerAnalyzer;

namespace ShapedVit.Tests.CodeFixes;

/// <summary>
/// A code fix test against the real analyzer, compiled offline: no reference pack is resolved or downloaded; the
/// references are the assemblies this test host runs with (the BCL, TorchSharp and the ShapedVit runtime).
/// </summary>
public sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<VisionTransformerAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> HostReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("ShapedVit.Generators", StringComparison.Ordinal)
                        && !Path.GetFileName(path).StartsWith("ShapedVit.Tests", StringComparison.Ordinal)
                        && !Path.GetFileName(path).StartsWith("ShapedVit.CodeFixes", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    public CodeFixTest()
    {
        // A target framework with no reference package: ResolveAsync returns nothing and never touches the network.
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(HostReferences.Value);
        FixedState.AdditionalReferences.AddRange(HostReferences.Value);
        // The shape trace (Info) appears once a declaration is valid; the fixes are judged on the errors they remove.
        DisabledDiagnostics.Add("SVIT0013");
    }

    public static Task VerifyFix(string source, string fixedSource, params DiagnosticResult[] expected) =>
        VerifyFix(source, fixedSource, CodeFixTestBehaviors.None, expected);

    public static Task VerifyFix(string source, string fixedSource, CodeFixTestBehaviors behaviors, params DiagnosticResult[] expected)
    {
        var test = new CodeFixTest<TCodeFix> { TestCode = source, FixedCode = fixedSource, CodeFixTestBehaviors = behaviors };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Error);
}
