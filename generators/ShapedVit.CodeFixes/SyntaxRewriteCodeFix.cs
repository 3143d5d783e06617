using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ShapedVit.CodeFixes
{
    /// <summary>
    /// A fix that rewrites one syntax node per diagnostic. One fix and Fix All share the same path: every diagnostic of a
    /// document is mapped to its target node, diagnostics on the same node collapse into one edit (a square [Patch] gets
    /// one diagnostic per axis), and all targets are rewritten in a single pass, so nested targets (a class and its
    /// containing class) compose.
    /// </summary>
    public abstract class SyntaxRewriteCodeFix<TNode> : CodeFixProvider where TNode : SyntaxNode
    {
        /// <summary>The node the diagnostic's fix rewrites, or null where no fix applies.</summary>
        protected abstract TNode? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken);

        /// <summary>The fixed node. Must depend only on the node and the diagnostic, so Fix All can apply it anywhere.</summary>
        protected abstract TNode? Rewrite(TNode node, Diagnostic diagnostic);

        protected abstract string Title(TNode target, Diagnostic diagnostic);

        public sealed override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create((context, document, diagnostics) => FixAsync(document, diagnostics, context.CancellationToken));

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var target = FindTarget(root, model, diagnostic, context.CancellationToken);
                if (target is null || Rewrite(target, diagnostic) is null) continue;
                var single = ImmutableArray.Create(diagnostic);
                context.RegisterCodeFix(
                    CodeAction.Create(Title(target, diagnostic), token => FixOrSame(context.Document, single, token), equivalenceKey: GetType().Name),
                    diagnostic);
            }
        }

        private async Task<Document> FixOrSame(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken) =>
            await FixAsync(document, diagnostics, cancellationToken).ConfigureAwait(false) ?? document;

        private async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return null;
            var targets = new Dictionary<SyntaxNode, Diagnostic>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                var target = FindTarget(root, model, diagnostic, cancellationToken);
                if (target is not null && !targets.ContainsKey(target)) targets.Add(target, diagnostic);
            }
            if (targets.Count == 0) return null;
            var fixedRoot = root.ReplaceNodes(targets.Keys, (original, rewritten) => Rewrite((TNode)rewritten, targets[original]) ?? rewritten);
            return document.WithSyntaxRoot(fixedRoot);
        }

        // ---- helpers shared by the fixes ----------------------------------------------------------------------------

        /// <summary>The attribute whose span holds the diagnostic, if it is the ShapedVit attribute of that metadata name.</summary>
        protected static AttributeSyntax? FindAttribute(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string metadataName, CancellationToken cancellationToken)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!diagnostic.Location.IsInSource || span.End > root.FullSpan.End) return null;
            var attribute = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
            if (attribute is null) return null;
            var constructor = model.GetSymbolInfo(attribute, cancellationToken).Symbol as IMethodSymbol;
            return constructor?.ContainingType.ToDisplayString() == metadataName ? attribute : null;
        }

        /// <summary>An int literal that keeps the trivia of the expression it replaces.</summary>
        protected static LiteralExpressionSyntax IntLiteral(long value, SyntaxNode? replaced = null)
        {
            var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal((int)value));
            return replaced is null ? literal : literal.WithTriviaFrom(replaced);
        }

        protected static bool TryParseInts(string? text, out long[] values)
        {
            values = System.Array.Empty<long>();
            if (string.IsNullOrEmpty(text)) return false;
            var parts = text!.Split(',');
            var parsed = new long[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!long.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out parsed[i]) ||
                    parsed[i] <= 0 || parsed[i] > int.MaxValue)
                    return false;
            values = parsed;
            return true;
        }
    }
}
