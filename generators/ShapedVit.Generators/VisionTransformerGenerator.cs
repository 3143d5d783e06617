using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ShapedVit.Generators
{
    /// <summary>Names of the pipeline steps, for incrementality tests.</summary>
    internal static class TrackingNames
    {
        public const string Declarations = nameof(Declarations);
        public const string Models = nameof(Models);
    }

    /// <summary>
    /// The pipeline: find [VisionTransformer] classes, parse each into a value-equal <see cref="ModelSpec"/> (null when it has
    /// errors, which <see cref="VisionTransformerAnalyzer"/> reports), and emit one file per model.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class VisionTransformerGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.VisionTransformerAttribute,
                    predicate: static (node, _) => node is TypeDeclarationSyntax,
                    transform: static (attributeContext, cancellationToken) =>
                        Parser.ParseModel((INamedTypeSymbol)attributeContext.TargetSymbol, cancellationToken))
                .WithTrackingName(TrackingNames.Declarations)
                .Where(static model => model is not null)
                .Select(static (model, _) => model!)
                .WithTrackingName(TrackingNames.Models);

            context.RegisterSourceOutput(models, static (output, model) => output.AddSource(model.HintName, Emitter.Emit(model)));
        }
    }
}
