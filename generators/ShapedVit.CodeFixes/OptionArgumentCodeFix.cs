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
    /// <summary>
    /// The fixes of the option combinations: removes the named argument the analyzer names in RemoveArgument from the
    /// attribute the diagnostic is in (SVIT0022, SVIT0023, SVIT0026), or sets the [Mlp] hidden width to an even candidate
    /// of MlpCandidates (SVIT0024), one action per candidate.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OptionArgumentCodeFix)), Shared]
    public sealed class OptionArgumentCodeFix : SyntaxRewriteCodeFix<AttributeSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.DistillationTokenWithoutClassToken.Id, DiagnosticDescriptors.DistillationTokenWithoutClassTokenPooling.Id,
            DiagnosticDescriptors.PackedGateOddWidth.Id, DiagnosticDescriptors.OptionWithoutEffect.Id);

        protected override AttributeSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (Removed(diagnostic) is { } name)
                foreach (var attribute in new[] { AttributeNames.VisionTransformer, AttributeNames.PositionEmbedding, AttributeNames.Attention })
                    if (FindAttribute(root, model, diagnostic, attribute, cancellationToken) is { } found && Named(found, name) is not null)
                        return found;
            if (diagnostic.Id == DiagnosticDescriptors.PackedGateOddWidth.Id
                && FindAttribute(root, model, diagnostic, AttributeNames.Mlp, cancellationToken) is { ArgumentList.Arguments.Count: > 0 } mlp
                && mlp.ArgumentList.Arguments[0].NameEquals is null)
                return mlp;
            return null;
        }

        protected override int CandidateCount(Diagnostic diagnostic) => Removed(diagnostic) is not null ? 1 : Widths(diagnostic).Count;

        protected override AttributeSyntax? Rewrite(AttributeSyntax node, Diagnostic diagnostic, int candidate)
        {
            var list = node.ArgumentList;
            if (list is null) return null;
            if (Removed(diagnostic) is { } name)
            {
                var argument = Named(node, name);
                if (argument is null) return null;
                var arguments = list.Arguments.Remove(argument);
                // [Norm()] reads as an empty call: an attribute with no argument left loses its parentheses.
                return arguments.Count == 0 ? node.WithArgumentList(null).WithTriviaFrom(node) : node.WithArgumentList(list.WithArguments(arguments));
            }
            var widths = Widths(diagnostic);
            if (candidate >= widths.Count) return null;
            var first = list.Arguments[0];
            return node.WithArgumentList(list.WithArguments(list.Arguments.Replace(first, first.WithExpression(IntLiteral(widths[candidate][0], first.Expression)))));
        }

        protected override string Title(AttributeSyntax target, Diagnostic diagnostic, int candidate)
        {
            if (Removed(diagnostic) is { } name) return "Remove " + (Named(target, name)?.ToString() ?? name);
            return "Use [Mlp(" + Widths(diagnostic)[candidate][0].ToString(CultureInfo.InvariantCulture) + ")]";
        }

        private static string? Removed(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(DiagnosticProperties.RemoveArgument, out var name) && !string.IsNullOrEmpty(name) ? name : null;

        private static System.Collections.Generic.List<long[]> Widths(Diagnostic diagnostic) =>
            ParseCandidates(diagnostic.Properties.TryGetValue(DiagnosticProperties.MlpCandidates, out var text) ? text : null, ',');

        private static AttributeArgumentSyntax? Named(AttributeSyntax attribute, string name) =>
            attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
    }
}
