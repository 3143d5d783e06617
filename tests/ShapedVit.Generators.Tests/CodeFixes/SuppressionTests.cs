using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.CodeFixes;

/// <summary>The analyzer's diagnostics obey #pragma and .editorconfig / globalconfig severities, as the compiler applies them.</summary>
public class SuppressionTests
{
    // Embed 60 / 6 heads = head dimension 10: valid, but SVIT0012 warns.
    private const string SlowHeads = """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(60), Depth(2), Heads(6)]
        public partial class OddHeads { }
        """;

    private static ImmutableArray<Diagnostic> Svit0012(Compilation compilation) =>
        GeneratorHarness.Analyze(compilation).Where(d => d.Id == "SVIT0012" && !d.IsSuppressed).ToImmutableArray();

    [Fact]
    public void Without_configuration_SVIT0012_is_a_warning()
    {
        var warning = Assert.Single(Svit0012(GeneratorHarness.Compile(SlowHeads)));
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
    }

    [Fact]
    public void Pragma_warning_disable_suppresses_SVIT0012()
    {
        Assert.Empty(Svit0012(GeneratorHarness.Compile("#pragma warning disable SVIT0012\n" + SlowHeads)));
        // Restoring it before the declaration brings it back: the pragma, not something else, did the suppressing.
        Assert.Single(Svit0012(GeneratorHarness.Compile("#pragma warning disable SVIT0012\n#pragma warning restore SVIT0012\n" + SlowHeads)));
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("error", DiagnosticSeverity.Error)]
    [InlineData("suggestion", DiagnosticSeverity.Info)]
    public void Editorconfig_severity_applies_to_SVIT0012(string configured, DiagnosticSeverity? expected)
    {
        var compilation = WithConfig(GeneratorHarness.Compile(SlowHeads), "/src/.editorconfig",
            $"root = true\n[*.cs]\ndotnet_diagnostic.SVIT0012.severity = {configured}\n");
        AssertSeverity(expected, Svit0012(compilation));
    }

    [Fact]
    public void Globalconfig_severity_applies_to_SVIT0012()
    {
        var compilation = WithConfig(GeneratorHarness.Compile(SlowHeads), "/src/.globalconfig",
            "is_global = true\ndotnet_diagnostic.SVIT0012.severity = error\n");
        AssertSeverity(DiagnosticSeverity.Error, Svit0012(compilation));
    }

    private static void AssertSeverity(DiagnosticSeverity? expected, ImmutableArray<Diagnostic> diagnostics)
    {
        if (expected is null) Assert.Empty(diagnostics);
        else Assert.Equal(expected.Value, Assert.Single(diagnostics).Severity);
    }

    /// <summary>Applies an analyzer config file to every tree (placed under /src/) the way the compiler does for a build.</summary>
    private static Compilation WithConfig(Compilation compilation, string configPath, string configText)
    {
        var set = AnalyzerConfigSet.Create(new[] { AnalyzerConfig.Parse(configText, configPath) });
        foreach (var tree in compilation.SyntaxTrees.ToList())
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithFilePath("/src/" + Path.GetFileName(tree.FilePath)));
        var provider = new ConfigOptionsProvider(set, compilation.SyntaxTrees);
        return compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(provider)
            .WithSpecificDiagnosticOptions(set.GlobalConfigOptions.TreeOptions));
    }

    private sealed class ConfigOptionsProvider(AnalyzerConfigSet set, IEnumerable<SyntaxTree> trees) : SyntaxTreeOptionsProvider
    {
        private readonly Dictionary<SyntaxTree, AnalyzerConfigOptionsResult> options =
            trees.ToDictionary(t => t, t => set.GetOptionsForSourcePath(t.FilePath));

        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return options.TryGetValue(tree, out var result) && result.TreeOptions.TryGetValue(diagnosticId, out severity);
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
