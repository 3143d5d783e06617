using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ShapedVit.Generators
{
    /// <summary>One diagnostic to report, before it has a location: descriptor, subject, message arguments and fix properties.</summary>
    internal sealed class Finding
    {
        public Finding(DiagnosticDescriptor descriptor, Subject subject, int index, object[] arguments, ImmutableDictionary<string, string?>? properties = null)
        {
            Descriptor = descriptor; Subject = subject; Index = index; Arguments = arguments; Properties = properties;
        }

        public DiagnosticDescriptor Descriptor { get; }
        public Subject Subject { get; }
        public int Index { get; }
        public object[] Arguments { get; }
        public ImmutableDictionary<string, string?>? Properties { get; }
        public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

        /// <summary>"SVIT0001: Image height 32 is not divisible by ..." (for the exception a generated surface throws).</summary>
        public string Describe() => Descriptor.Id + ": " + string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), Arguments);
    }

    /// <summary>What a declaration proves: its geometry (null when it has errors) and every finding.</summary>
    internal sealed class Evaluation
    {
        public Evaluation(VitGeometry? geometry, List<Finding> findings) { Geometry = geometry; Findings = findings; }
        public VitGeometry? Geometry { get; }
        public List<Finding> Findings { get; }
        public bool HasErrors => Findings.Any(f => f.IsError);
    }

    /// <summary>
    /// Turns a declaration into findings: the parser's problems, the shape problems of <see cref="VitGeometry.Check"/> with
    /// their suggestions and code-fix properties, the [ExpectShape] checks and the SVIT0013 trace. The proof runs once here;
    /// the analyzer gives the findings locations, the emitter keeps the geometry (or the errors, for the surface's exception).
    /// </summary>
    internal static class ShapeDiagnostics
    {
        /// <param name="withFixes">Compute suggestions' fix properties (the analyzer); the emitter only needs the messages.</param>
        public static Evaluation Evaluate(VitDeclaration declaration, bool withFixes)
        {
            var findings = new List<Finding>();
            foreach (var problem in declaration.Problems)
                findings.Add(new Finding(DiagnosticDescriptors.ById(problem.Id), problem.Subject, problem.Index, problem.Arguments.Cast<object>().ToArray()));
            if (declaration.HasParseErrors)
                return new Evaluation(null, findings);

            var spec = declaration.Spec;
            var geometry = VitGeometry.TryCreate(spec, out var problems);
            foreach (var problem in problems)
                findings.Add(Explain(problem, declaration, withFixes));
            if (geometry is null) return new Evaluation(null, findings);

            CheckExpectations(declaration, geometry, findings);
            if (!findings.Any(f => f.IsError))
                findings.Add(new Finding(DiagnosticDescriptors.ProvenTrace, Subject.Class, 0, new object[]
                {
                    declaration.TypeName, geometry.Trace,
                    geometry.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)
                        + (spec.SymbolicNumClasses ? " + " + geometry.HeadParametersPerClass.ToString("N0", CultureInfo.InvariantCulture) + " x N" : ""),
                    // With a run-time class count the MACs are the backbone's; the head's N x HeadInputDim is below the rounding.
                    (geometry.Macs / 1e9).ToString("0.###", CultureInfo.InvariantCulture),
                }));
            return new Evaluation(geometry, findings);
        }

        private static Finding Explain(ShapeProblem problem, VitDeclaration declaration, bool withFixes)
        {
            var spec = declaration.Spec;
            switch (problem.Kind)
            {
                case ShapeProblemKind.NonPositiveSize:
                    return new Finding(DiagnosticDescriptors.NonPositiveSize, problem.Subject.ToSubject(), 0, new object[]
                        { ShapeProblem.DisplayName(problem.Subject), ShapeProblem.ZeroAllowed(problem.Subject) ? "zero or positive" : "positive", Num(problem.Value) });
                case ShapeProblemKind.TooLarge:
                    return new Finding(DiagnosticDescriptors.TooLarge, problem.Subject.ToSubject(), 0, new object[]
                        { ShapeProblem.DisplayName(problem.Subject), Num(problem.Value), Num(problem.Other) });
                case ShapeProblemKind.ImageNotDivisibleByPatch:
                {
                    long image = problem.Value, patchSize = problem.Other;
                    var patches = VitGeometry.NearestDivisors(image, patchSize, 2);
                    long lower = image / patchSize * patchSize, upper = lower + patchSize;
                    string images = lower > 0 ? Num(lower) + ", " + Num(upper) : Num(upper);
                    ImmutableDictionary<string, string?>? properties = null;
                    if (withFixes)
                        properties = ImmutableDictionary<string, string?>.Empty
                            .Add(DiagnosticProperties.PatchCandidates, string.Join(";", PatchCandidates(declaration).Select(c => Num(c.Height) + "," + Num(c.Width))));
                    return new Finding(DiagnosticDescriptors.ImageNotDivisibleByPatch, problem.Subject.ToSubject(), 0,
                        new object[] { problem.Axis, Num(image), Num(patchSize), string.Join(", ", patches.Select(Num)), images }, properties);
                }
                case ShapeProblemKind.EmbedNotDivisibleByHeads:
                {
                    var heads = VitGeometry.NearestDivisors(problem.Value, problem.Other, 3);
                    var properties = withFixes ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.HeadCandidates, string.Join(",", heads.Select(Num))) : null;
                    return new Finding(DiagnosticDescriptors.EmbedNotDivisibleByHeads, Subject.Heads, 0,
                        new object[] { Num(problem.Value), Num(problem.Other), string.Join(", ", heads.Select(Num)) }, properties);
                }
                case ShapeProblemKind.ClassTokenPoolingWithoutClassToken:
                    return new Finding(DiagnosticDescriptors.ClassTokenPoolingWithoutClassToken, Subject.ClassToken, 0, Array.Empty<object>());
                case ShapeProblemKind.DistillationTokenWithoutClassToken:
                {
                    // With class-token pooling, keeping the class token fixes both; otherwise dropping the distillation token does.
                    bool keepClassToken = spec.Pooling == Pooling.ClassToken;
                    var properties = withFixes ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.RemoveArgument,
                        keepClassToken ? nameof(VisionTransformerAttribute.ClassToken) : nameof(VisionTransformerAttribute.DistillationToken)) : null;
                    return new Finding(DiagnosticDescriptors.DistillationTokenWithoutClassToken, Subject.DistillationToken, 0, new object[]
                        { keepClassToken ? "keep the class token (remove ClassToken = false) or remove DistillationToken" : "remove DistillationToken or keep the class token" }, properties);
                }
                case ShapeProblemKind.DistillationTokenWithoutClassTokenPooling:
                {
                    var properties = withFixes ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.RemoveArgument, nameof(VisionTransformerAttribute.DistillationToken)) : null;
                    return new Finding(DiagnosticDescriptors.DistillationTokenWithoutClassTokenPooling, Subject.DistillationToken, 0,
                        new object[] { VitGeometry.PoolingName(problem.Value) }, properties);
                }
                case ShapeProblemKind.PackedGateOddWidth:
                {
                    long width = problem.Value;
                    // Up first: a packed MLP is usually declared at the width of the fc1 that holds both halves.
                    var candidates = width > 1 ? new[] { width + 1, width - 1 } : new[] { width + 1 };
                    var properties = withFixes ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.MlpCandidates, string.Join(",", candidates.Select(Num))) : null;
                    return new Finding(DiagnosticDescriptors.PackedGateOddWidth, Subject.MlpGate, 0,
                        new object[] { Num(width), string.Join(" or ", candidates.Select(Num)) }, properties);
                }
                case ShapeProblemKind.RotaryHeadDimNotDivisibleBy4:
                    return new Finding(DiagnosticDescriptors.RotaryHeadDimNotDivisibleBy4, Subject.Rotary, 0, new object[]
                        { Num(problem.Value), Num(spec.EmbedDim), Num(problem.Other), SuggestHeads(spec.EmbedDim, spec.Heads, 4) });
                case ShapeProblemKind.OptionWithoutEffect:
                {
                    string option;
                    object[] arguments;
                    switch (problem.Subject)
                    {
                        case ShapeSubject.RotaryReferenceGrid:
                            option = nameof(AttentionAttribute.RotaryReferenceGrid);
                            arguments = new object[] { option + " = " + Num(problem.Value), "without Rotary = true", "remove it or set Rotary = true" };
                            break;
                        case ShapeSubject.SeparateQvBias:
                            option = nameof(AttentionAttribute.SeparateQvBias);
                            arguments = problem.Value == 1
                                ? new object[] { option + " = true", "with SeparateProjections = true (q_proj and v_proj have their own biases)", "remove it" }
                                : new object[] { option + " = true", "with QkvBias = false (there is no bias to store as q_bias and v_bias)", "remove it or set QkvBias = true" };
                            break;
                        default:
                            option = nameof(PositionEmbeddingAttribute.IncludePrefixTokens);
                            arguments = new object[] { option + " = false", "without a position embedding (PositionEmbeddingKind.None)", "remove it" };
                            break;
                    }
                    var properties = withFixes ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.RemoveArgument, option) : null;
                    return new Finding(DiagnosticDescriptors.OptionWithoutEffect, problem.Subject.ToSubject(), 0, arguments, properties);
                }
                default: // HeadDimNotMultipleOf8
                    return new Finding(DiagnosticDescriptors.HeadDimNotMultipleOf8, Subject.Heads, 0, new object[]
                        { Num(problem.Value), Num(spec.EmbedDim), Num(problem.Other), SuggestHeads(spec.EmbedDim, spec.Heads) });
            }
        }

        /// <summary>
        /// The [Patch] sizes a fix offers for a patch that does not tile the image: each failing axis takes one of its two
        /// nearest divisors of the image (a square patch stays square where the image allows), nearest first, and a
        /// candidate that satisfies every [ExpectShape] goes before all that do not.
        /// </summary>
        public static List<(long Height, long Width)> PatchCandidates(VitDeclaration declaration)
        {
            var spec = declaration.Spec;
            List<long> Axis(long image, long patch) => image % patch == 0 ? new List<long> { patch } : VitGeometry.NearestDivisors(image, patch, 2);
            var heights = Axis(spec.ImageHeight, spec.PatchHeight);
            var widths = Axis(spec.ImageWidth, spec.PatchWidth);
            var pairs = new List<(long Height, long Width)>();
            bool square = spec.PatchHeight == spec.PatchWidth && spec.ImageHeight == spec.ImageWidth;
            foreach (var h in heights)
                foreach (var w in widths)
                    if (!square || h == w) pairs.Add((h, w));
            if (pairs.Count == 0) foreach (var h in heights) foreach (var w in widths) pairs.Add((h, w));
            // Stable: nearest first (the divisor lists are nearest first), then those that meet every expectation move up.
            var ordered = pairs
                .Select((pair, i) => (pair, i, distance: Math.Abs(pair.Height - spec.PatchHeight) + Math.Abs(pair.Width - spec.PatchWidth)))
                .OrderBy(c => MeetsExpectations(declaration, spec with { PatchHeight = (int)c.pair.Height, PatchWidth = (int)c.pair.Width }) ? 0 : 1)
                .ThenBy(c => c.distance).ThenBy(c => c.i)
                .Select(c => c.pair)
                .ToList();
            return ordered;
        }

        private static bool MeetsExpectations(VitDeclaration declaration, VitSpec candidate)
        {
            var geometry = VitGeometry.TryCreate(candidate, out _);
            if (geometry is null) return false;
            foreach (var expectation in declaration.Expectations)
            {
                if (expectation.Stage < 0 || expectation.Stage > (int)Stage.Logits) continue;
                var proven = geometry.ShapeAt((Stage)expectation.Stage);
                if (proven is null || !proven.SequenceEqual(expectation.Dims)) return false;
            }
            return true;
        }

        private static void CheckExpectations(VitDeclaration declaration, VitGeometry geometry, List<Finding> findings)
        {
            for (int index = 0; index < declaration.Expectations.Count; index++)
            {
                var expectation = declaration.Expectations[index];
                if (expectation.Stage < 0 || expectation.Stage > (int)Stage.Logits)
                {
                    findings.Add(new Finding(DiagnosticDescriptors.UnknownStage, Subject.ExpectationStage, index, new object[]
                        { "Stage " + Num(expectation.Stage) + " does not exist: use Stage.Image, PatchTokens, Tokens, Pooled or Logits" }));
                    continue;
                }
                var stage = (Stage)expectation.Stage;
                if (stage == Stage.Logits && declaration.Spec.SymbolicNumClasses)
                {
                    findings.Add(new Finding(DiagnosticDescriptors.UnknownStage, Subject.ExpectationStage, index, new object[]
                        { "Stage.Logits is [N]: '" + declaration.TypeName + "' takes its class count at run time (RuntimeNumClasses = true); expect Stage.Pooled instead" }));
                    continue;
                }
                var step = geometry.StepAt(stage);
                if (step is null)
                {
                    findings.Add(new Finding(DiagnosticDescriptors.UnknownStage, Subject.ExpectationStage, index, new object[]
                        { "Stage.Logits does not exist: '" + declaration.TypeName + "' is headless (NumClasses = 0); expect Stage.Pooled instead" }));
                    continue;
                }
                if (step.Shape.SequenceEqual(expectation.Dims)) continue;
                var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.ProvenShape, string.Join(",", step.Shape.Select(Num)));
                findings.Add(new Finding(DiagnosticDescriptors.ExpectedShapeMismatch, Subject.ExpectationDims, index, new object[]
                    { stage.ToString(), VitGeometry.FormatShape(expectation.Dims.ToArray()), VitGeometry.FormatShape(step.Shape), " (" + step.Explanation + ")" }, properties));
            }
        }

        /// <summary>Head counts whose head width is a multiple of <paramref name="multiple"/>, or an embed width that allows the given count.</summary>
        private static string SuggestHeads(long embed, long heads, long multiple = 8)
        {
            var good = VitGeometry.Divisors(embed).Where(h => (embed / h) % multiple == 0).ToList();
            if (good.Count == 0) return "use an embed dimension that is a multiple of " + Num(multiple) + " x heads (" + Num(multiple * heads) + ", " + Num(2 * multiple * heads) + ")";
            var nearest = good.OrderBy(h => Math.Abs(h - heads)).ThenBy(h => h).Take(2).OrderBy(h => h);
            return "consider " + string.Join(" or ", nearest.Select(Num)) + " heads";
        }

        private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
