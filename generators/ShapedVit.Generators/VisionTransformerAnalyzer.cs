using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ShapedVit.Generators
{
    /// <summary>
    /// Reports the shape proof's diagnostics. They come from an analyzer rather than the generator so that the IDE shows them
    /// as you type and #pragma warning disable / .editorconfig severities apply; it reads the declaration with the
    /// generator's own parser and proves it with the same <see cref="ShapeDiagnostics"/> the emitter uses.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class VisionTransformerAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.All);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var attribute = start.Compilation.GetTypeByMetadataName(AttributeNames.VisionTransformer);
                if (attribute is null) return;
                start.RegisterSymbolAction(symbolContext =>
                {
                    var type = (INamedTypeSymbol)symbolContext.Symbol;
                    bool marked = false;
                    foreach (var data in type.GetAttributes())
                        if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute)) { marked = true; break; }
                    if (!marked) return;
                    if (Parser.Parse(type, symbolContext.Compilation, symbolContext.CancellationToken) is not { } parsed) return;
                    foreach (var finding in ShapeDiagnostics.Evaluate(parsed.Declaration, withFixes: true).Findings)
                        symbolContext.ReportDiagnostic(Diagnostic.Create(finding.Descriptor, parsed.Locations.Of(finding.Subject, finding.Index),
                            parsed.Locations.Additional(finding.Subject, finding.Index), finding.Properties, finding.Arguments));
                }, SymbolKind.NamedType);
            });
        }
    }
}
