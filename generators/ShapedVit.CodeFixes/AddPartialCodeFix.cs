using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ShapedVit.Generators;

namespace ShapedVit.CodeFixes
{
    /// <summary>SVIT0004 and SVIT0005: adds the missing 'partial' to the Vision Transformer class or a type containing it.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
    public sealed class AddPartialCodeFix : SyntaxRewriteCodeFix<TypeDeclarationSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NotPartial.Id, DiagnosticDescriptors.ContainingTypeNotPartial.Id);

        // SVIT0004 sits on the identifier of the class that lacks the modifier; SVIT0005 sits on the model class and names the
        // containing type that lacks it as its additional location.
        protected override TypeDeclarationSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var location = diagnostic.Id == DiagnosticDescriptors.ContainingTypeNotPartial.Id && diagnostic.AdditionalLocations.Count > 0
                ? diagnostic.AdditionalLocations[0]
                : diagnostic.Location;
            if (!location.IsInSource || location.SourceTree != root.SyntaxTree) return null;
            var token = root.FindToken(location.SourceSpan.Start);
            return token.Parent is TypeDeclarationSyntax declaration && declaration.Identifier == token ? declaration : null;
        }

        protected override TypeDeclarationSyntax? Rewrite(TypeDeclarationSyntax node, Diagnostic diagnostic, int candidate)
        {
            if (node.Modifiers.Any(SyntaxKind.PartialKeyword)) return null;
            var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            // 'partial' must stand right before the type keyword, so it goes last; with no modifiers it takes over the
            // keyword's leading trivia (indentation) so the layout stays as it was.
            if (node.Modifiers.Count == 0)
                return node.WithKeyword(node.Keyword.WithLeadingTrivia())
                           .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(node.Keyword.LeadingTrivia)));
            return node.WithModifiers(node.Modifiers.Add(partial));
        }

        protected override string Title(TypeDeclarationSyntax target, Diagnostic diagnostic, int candidate) =>
            "Make '" + target.Identifier.ValueText + "' partial";
    }
}
