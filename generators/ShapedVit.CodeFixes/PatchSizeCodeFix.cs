using System.Collections.Generic;
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
    /// SVIT0001: rewrites [Patch] so every axis divides the image, one action per candidate of the analyzer's
    /// PatchCandidates property ("h,w;h,w", the nearest divisors, the one that satisfies every [ExpectShape] first). A square
    /// [Patch(p)] stays one argument when both axes agree and becomes [Patch(height, width)] when they do not.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PatchSizeCodeFix)), Shared]
    public sealed class PatchSizeCodeFix : SyntaxRewriteCodeFix<AttributeSyntax>
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ImageNotDivisibleByPatch.Id);

        // Reported on a [Patch] argument, or on Preset when the patch comes from a preset: only the former is fixed here.
        protected override AttributeSyntax? FindTarget(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            FindAttribute(root, model, diagnostic, AttributeNames.Patch, cancellationToken) is { ArgumentList: not null } attribute ? attribute : null;

        protected override int CandidateCount(Diagnostic diagnostic) => Candidates(diagnostic).Count;

        protected override AttributeSyntax? Rewrite(AttributeSyntax node, Diagnostic diagnostic, int candidate)
        {
            if (!TryGetSize(diagnostic, candidate, out long height, out long width) || node.ArgumentList is not { } list) return null;
            var positional = list.Arguments.Where(a => a.NameEquals is null).ToList();
            if (positional.Count == 1 && height == width)
                return node.ReplaceNode(positional[0].Expression, IntLiteral(height, positional[0].Expression));
            if (positional.Count == 2)
            {
                // Arguments may be named (width: 16, height: 8); otherwise the first is the height.
                return node.ReplaceNodes(positional.Select(a => a.Expression), (original, _) =>
                {
                    var argument = (AttributeArgumentSyntax)original.Parent!;
                    string parameter = argument.NameColon?.Name.Identifier.ValueText ?? (positional.IndexOf(argument) == 0 ? "height" : "width");
                    return IntLiteral(parameter == "width" ? width : height, original);
                });
            }
            if (positional.Count == 1)
            {
                var arguments = SyntaxFactory.SeparatedList(new[] { SyntaxFactory.AttributeArgument(IntLiteral(height)), SyntaxFactory.AttributeArgument(IntLiteral(width)) }
                    .Concat(list.Arguments.Where(a => a.NameEquals is not null)));
                return node.WithArgumentList(list.WithArguments(arguments)).NormalizeWhitespaceOfArguments();
            }
            return null;
        }

        protected override string Title(AttributeSyntax target, Diagnostic diagnostic, int candidate)
        {
            TryGetSize(diagnostic, candidate, out long height, out long width);
            bool square = height == width && target.ArgumentList!.Arguments.Count(a => a.NameEquals is null) == 1;
            return square ? "Use [Patch(" + Num(height) + ")]" : "Use [Patch(" + Num(height) + ", " + Num(width) + ")]";
        }

        private static List<long[]> Candidates(Diagnostic diagnostic) =>
            ParseCandidates(diagnostic.Properties.TryGetValue(DiagnosticProperties.PatchCandidates, out var text) ? text : null, ';')
                .Where(size => size.Length == 2).ToList();

        private static bool TryGetSize(Diagnostic diagnostic, int candidate, out long height, out long width)
        {
            height = width = 0;
            var candidates = Candidates(diagnostic);
            if (candidate >= candidates.Count) return false;
            height = candidates[candidate][0];
            width = candidates[candidate][1];
            return true;
        }

        private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    internal static class AttributeSyntaxExtensions
    {
        /// <summary>Separates arguments with ", " (a rebuilt argument list has bare commas).</summary>
        public static AttributeSyntax NormalizeWhitespaceOfArguments(this AttributeSyntax attribute)
        {
            var list = attribute.ArgumentList!;
            var separators = list.Arguments.GetSeparators().Select(s => s.WithTrailingTrivia(SyntaxFactory.Space));
            return attribute.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList(list.Arguments, separators)));
        }
    }
}
