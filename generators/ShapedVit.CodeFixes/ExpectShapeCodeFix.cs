using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ShapedVit.Generators;

namespace ShapedVit.CodeFixes
{
    /// <summary>SVIT0011: replaces the dimensions of an [ExpectShape] with the proven shape (ProvenShape, "d0,d1,..."), keeping its stage.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ExpectShapeCodeFix)), Shared]
    public sealed class ExpectShapeCodeFix : SyntaxRewriteCodeFix<AttributeSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ExpectedShapeMismatch.Id);

        protected override AttributeSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            FindAttribute(root, model, diagnostic, AttributeNames.ExpectShape, cancellationToken) is { ArgumentList.Arguments.Count: > 0 } attribute ? attribute : null;

        protected override AttributeSyntax? Rewrite(AttributeSyntax node, Diagnostic diagnostic, int candidate)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.ProvenShape, out var text) || !TryParseInts(text, out var shape)) return null;
            var list = node.ArgumentList!;
            // The stage stays as written; every dimension argument (params ints or one array) gives way to the proven ones.
            var stage = list.Arguments.First(a => a.NameEquals is null);
            var arguments = new[] { stage.WithoutTrivia() }
                .Concat(shape.Select(d => SyntaxFactory.AttributeArgument(IntLiteral(d))))
                .Concat(list.Arguments.Where(a => a.NameEquals is not null));
            return node.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList(arguments))).NormalizeWhitespaceOfArguments();
        }

        protected override string Title(AttributeSyntax target, Diagnostic diagnostic, int candidate)
        {
            diagnostic.Properties.TryGetValue(DiagnosticProperties.ProvenShape, out var text);
            return "Expect the proven shape (" + (text ?? "").Replace(",", ", ") + ")";
        }
    }
}
