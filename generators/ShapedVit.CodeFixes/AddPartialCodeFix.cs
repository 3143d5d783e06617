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

        // Both diagnostics sit on the identifier of the type declaration that lacks the modifier.
        protected override TypeDeclarationSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (!diagnostic.Location.IsInSource) return null;
            var token = root.FindToken(diagnostic.Location.SourceSpan.Start);
            return token.Parent is TypeDeclarationSyntax declaration && declaration.Identifier == token ? declaration : null;
        }

        protected override TypeDeclarationSyntax? Rewrite(TypeDeclarationSyntax node, Diagnostic diagnostic)
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

        protected override string Title(TypeDeclarationSyntax target, Diagnostic diagnostic) =>
            "Make '" + target.Identifier.ValueText + "' partial";
    }
}
