using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ShapedVit.Generators
{
    /// <summary>Names of the pipeline steps, for incrementality tests.</summary>
    internal static class TrackingNames
    {
        /// <summary>Each [VisionTransformer] class read into a <see cref="VitDeclaration"/> (null for a second marked part).</summary>
        public const string Declarations = nameof(Declarations);
        /// <summary>The declarations the generator extends.</summary>
        public const string Models = nameof(Models);
        /// <summary>The full names that collide with another's when case is ignored (usually none).</summary>
        public const string HintNameCollisions = nameof(HintNameCollisions);
    }

    /// <summary>
    /// The pipeline: find [VisionTransformer] classes, parse each into a value-equal <see cref="VitDeclaration"/> (its
    /// diagnostics are <see cref="VisionTransformerAnalyzer"/>'s), and emit one file per declaration: the working model, or
    /// for a declaration with errors its public surface, so the only errors a build shows are the SVIT ones.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class VisionTransformerGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    AttributeNames.VisionTransformer,
                    predicate: static (node, _) => node is TypeDeclarationSyntax,
                    transform: static (attributeContext, cancellationToken) => Read(attributeContext, cancellationToken))
                .WithTrackingName(TrackingNames.Declarations)
                .Where(static declaration => declaration is { TypeCanBeExtended: true })
                .Select(static (declaration, _) => declaration!)
                .WithTrackingName(TrackingNames.Models);

            // Hint names are compared ignoring case (CS8785 otherwise): names that differ only in case get a numbered file.
            // Only the colliding names flow on, so adding or editing a model leaves the other models' outputs cached.
            var collisions = models
                .Select(static (declaration, _) => declaration.FullName)
                .Collect()
                .Select(static (names, _) => names
                    .GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
                    .Where(g => g.Distinct(StringComparer.Ordinal).Count() > 1)
                    .SelectMany(g => g.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal))
                    .ToEquatableArray())
                .WithTrackingName(TrackingNames.HintNameCollisions);

            context.RegisterSourceOutput(models.Combine(collisions), static (output, pair) =>
            {
                if (Emitter.Emit(pair.Left) is { } source) output.AddSource(HintName(pair.Left.FullName, pair.Right), source);
            });
        }

        /// <summary>{FullName}.g.cs; the second and later of names equal but for case (ordinal order) get .2, .3...</summary>
        internal static string HintName(string fullName, EquatableArray<string> collisions)
        {
            int rank = 0;
            foreach (var other in collisions)
            {
                if (other == fullName) break;
                if (string.Equals(other, fullName, StringComparison.OrdinalIgnoreCase)) rank++;
            }
            return rank == 0 ? fullName + ".g.cs" : fullName + "." + (rank + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
        }

        private static VitDeclaration? Read(GeneratorAttributeSyntaxContext attributeContext, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)attributeContext.TargetSymbol;
            // A class marked on two of its parts (C# reports CS0579) is read once, from its first marked part.
            if (type.DeclaringSyntaxReferences.Length > 1)
                foreach (var attribute in type.GetAttributes())
                    if (attribute.AttributeClass?.ToDisplayString() == AttributeNames.VisionTransformer)
                    {
                        var marked = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
                        if (marked is not null && marked != attributeContext.TargetNode) return null;
                        break;
                    }
            return Parser.Parse(type, attributeContext.SemanticModel.Compilation, cancellationToken)?.Declaration;
        }
    }
}
