using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ShapedVit.Generators;

namespace ShapedVit.CodeFixes
{
    /// <summary>SVIT0002: sets [Heads] to a divisor of the embed dimension, one action per candidate of HeadCandidates (nearest first).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HeadsCodeFix)), Shared]
    public sealed class HeadsCodeFix : SyntaxRewriteCodeFix<ExpressionSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.EmbedNotDivisibleByHeads.Id);

        // Reported on the [Heads] argument, or on [Embed]/Preset when heads are not written: only the former is fixed here.
        protected override ExpressionSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (FindAttribute(root, model, diagnostic, AttributeNames.Heads, cancellationToken) is null) return null;
            return root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) switch
            {
                AttributeArgumentSyntax argument => argument.Expression,
                ExpressionSyntax expression => expression,
                _ => null,
            };
        }

        protected override int CandidateCount(Diagnostic diagnostic) => Candidates(diagnostic).Count;

        protected override ExpressionSyntax? Rewrite(ExpressionSyntax node, Diagnostic diagnostic, int candidate) =>
            TryGetHeads(diagnostic, candidate, out long heads) ? IntLiteral(heads, node) : null;

        protected override string Title(ExpressionSyntax target, Diagnostic diagnostic, int candidate)
        {
            TryGetHeads(diagnostic, candidate, out long heads);
            return "Use [Heads(" + heads.ToString(CultureInfo.InvariantCulture) + ")]";
        }

        private static System.Collections.Generic.List<long[]> Candidates(Diagnostic diagnostic) =>
            ParseCandidates(diagnostic.Properties.TryGetValue(DiagnosticProperties.HeadCandidates, out var text) ? text : null, ',');

        private static bool TryGetHeads(Diagnostic diagnostic, int candidate, out long heads)
        {
            heads = 0;
            var candidates = Candidates(diagnostic);
            if (candidate >= candidates.Count) return false;
            heads = candidates[candidate][0];
            return true;
        }
    }
}
