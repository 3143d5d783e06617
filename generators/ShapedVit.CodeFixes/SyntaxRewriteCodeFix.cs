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
    /// A fix that rewrites one syntax node per diagnostic, offering one action per candidate (the nearest values a
    /// diagnostic suggests, best first). One fix and Fix All share the same path: every diagnostic of a document is mapped
    /// to its target node, diagnostics on the same node collapse into one edit and one set of actions (a square [Patch]
    /// gets one diagnostic per axis), and all targets are rewritten in a single pass, so nested targets (a class and its
    /// containing class) compose. Fix All applies the candidate of the chosen action's rank everywhere.
    /// </summary>
    public abstract class SyntaxRewriteCodeFix<TNode> : CodeFixProvider where TNode : SyntaxNode
    {
        /// <summary>The node the diagnostic's fix rewrites, or null where no fix applies.</summary>
        protected abstract TNode? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken);

        /// <summary>How many actions the diagnostic offers (its candidates); one unless a fix suggests several values.</summary>
        protected virtual int CandidateCount(Diagnostic diagnostic) => 1;

        /// <summary>The node fixed with the candidate of this rank. Must depend only on the node and the diagnostic, so Fix All can apply it anywhere.</summary>
        protected abstract TNode? Rewrite(TNode node, Diagnostic diagnostic, int candidate);

        protected abstract string Title(TNode target, Diagnostic diagnostic, int candidate);

        public sealed override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create((context, document, diagnostics) => FixAsync(document, diagnostics, CandidateOf(context.CodeActionEquivalenceKey), context.CancellationToken));

        private string Key(int candidate) => GetType().Name + "." + candidate.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static int CandidateOf(string? equivalenceKey) =>
            equivalenceKey is not null && equivalenceKey.LastIndexOf('.') is var dot and >= 0 &&
            int.TryParse(equivalenceKey.Substring(dot + 1), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int candidate)
                ? candidate : 0;

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null) return;
            // Diagnostics that point at the same node (both axes of a square [Patch]) get one set of actions, registered for all of them.
            var groups = new List<(TNode Target, List<Diagnostic> Diagnostics)>();
            foreach (var diagnostic in context.Diagnostics)
            {
                var target = FindTarget(root, model, diagnostic, context.CancellationToken);
                if (target is null) continue;
                int index = groups.FindIndex(g => g.Target == target);
                if (index >= 0) groups[index].Diagnostics.Add(diagnostic);
                else groups.Add((target, new List<Diagnostic> { diagnostic }));
            }
            foreach (var (target, diagnostics) in groups)
            {
                var first = diagnostics[0];
                var all = diagnostics.ToImmutableArray();
                var titles = new HashSet<string>();
                for (int candidate = 0; candidate < CandidateCount(first); candidate++)
                {
                    if (Rewrite(target, first, candidate) is null) continue;
                    string title = Title(target, first, candidate);
                    if (!titles.Add(title)) continue;
                    int chosen = candidate;
                    context.RegisterCodeFix(
                        CodeAction.Create(title, token => FixOrSame(context.Document, all, chosen, token), equivalenceKey: Key(chosen)),
                        all);
                }
            }
        }

        private async Task<Document> FixOrSame(Document document, ImmutableArray<Diagnostic> diagnostics, int candidate, CancellationToken cancellationToken) =>
            await FixAsync(document, diagnostics, candidate, cancellationToken).ConfigureAwait(false) ?? document;

        private async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, int candidate, CancellationToken cancellationToken)
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
            var fixedRoot = root.ReplaceNodes(targets.Keys, (original, rewritten) => Rewrite((TNode)rewritten, targets[original], candidate) ?? rewritten);
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

        /// <summary>The candidates of a property written "a,b;c,d" (each candidate a comma-separated list), or of "a,b,c" read one value each.</summary>
        protected static List<long[]> ParseCandidates(string? text, char separator)
        {
            var candidates = new List<long[]>();
            if (string.IsNullOrEmpty(text)) return candidates;
            foreach (var part in text!.Split(separator))
                if (TryParseInts(part, out var values)) candidates.Add(values);
            return candidates;
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
