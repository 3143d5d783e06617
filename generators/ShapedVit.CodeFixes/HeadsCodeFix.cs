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
    /// <summary>SVIT0002: sets [Heads] to the divisor of the embed dimension nearest the declared count (SuggestedHeads).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HeadsCodeFix)), Shared]
    public sealed class HeadsCodeFix : SyntaxRewriteCodeFix<ExpressionSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.EmbedNotDivisibleByHeads.Id);

        // Reported on the [Heads] argument, or on [Embed]/Preset when heads are not written: only the former is fixed here.
        protected override ExpressionSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (FindAttribute(root, model, diagnostic, "ShapedVit.HeadsAttribute", cancellationToken) is null) return null;
            return root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) switch
            {
                AttributeArgumentSyntax argument => argument.Expression,
                ExpressionSyntax expression => expression,
                _ => null,
            };
        }

        protected override ExpressionSyntax? Rewrite(ExpressionSyntax node, Diagnostic diagnostic) =>
            TryGetHeads(diagnostic, out long heads) ? IntLiteral(heads, node) : null;

        protected override string Title(ExpressionSyntax target, Diagnostic diagnostic)
        {
            TryGetHeads(diagnostic, out long heads);
            return "Use [Heads(" + heads.ToString(CultureInfo.InvariantCulture) + ")]";
        }

        private static bool TryGetHeads(Diagnostic diagnostic, out long heads)
        {
            heads = 0;
            if (!diagnostic.Properties.TryGetValue("SuggestedHeads", out var text) || !TryParseInts(text, out var values) || values.Length != 1) return false;
            heads = values[0];
            return true;
        }
    }
}
