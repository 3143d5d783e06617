using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ShapedVit.Generators
{
    /// <summary>
    /// Reports the shape proof's diagnostics. They come from an analyzer rather than the generator so that the IDE shows them
    /// as you type and #pragma warning disable / .editorconfig severities apply; the parser is the generator's own.
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
                var attribute = start.Compilation.GetTypeByMetadataName(Parser.VisionTransformerAttribute);
                if (attribute is null) return;
                start.RegisterSymbolAction(symbolContext =>
                {
                    var type = (INamedTypeSymbol)symbolContext.Symbol;
                    bool marked = false;
                    foreach (var data in type.GetAttributes())
                        if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute)) { marked = true; break; }
                    if (!marked) return;
                    foreach (var diagnostic in Parser.Parse(type, symbolContext.CancellationToken).Diagnostics)
                        symbolContext.ReportDiagnostic(diagnostic);
                }, SymbolKind.NamedType);
            });
        }
    }
}
