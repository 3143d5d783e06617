using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ShapedVit.Generators
{
    /// <summary>What the parser made of one declaration: the model (null when it has errors) and every diagnostic.</summary>
    internal sealed class ParseResult
    {
        public ParseResult(ModelSpec? model, ImmutableArray<Diagnostic> diagnostics) { Model = model; Diagnostics = diagnostics; }
        public ModelSpec? Model { get; }
        public ImmutableArray<Diagnostic> Diagnostics { get; }
    }

    /// <summary>
    /// Reads a [VisionTransformer] class and its attributes into a <see cref="ModelSpec"/>, proving its shapes with the shared
    /// <see cref="VitGeometry"/> arithmetic. Used by the generator (which keeps only the model) and by the analyzer (which
    /// reports the diagnostics, so #pragma and .editorconfig apply to them).
    /// </summary>
    internal static class Parser
    {
        public const string VisionTransformerAttribute = "ShapedVit.VisionTransformerAttribute";
        private const string ImageAttribute = "ShapedVit.ImageAttribute";
        private const string PatchAttribute = "ShapedVit.PatchAttribute";
        private const string EmbedAttribute = "ShapedVit.EmbedAttribute";
        private const string DepthAttribute = "ShapedVit.DepthAttribute";
        private const string HeadsAttribute = "ShapedVit.HeadsAttribute";
        private const string MlpAttribute = "ShapedVit.MlpAttribute";
        private const string ExpectShapeAttribute = "ShapedVit.ExpectShapeAttribute";

        private static readonly string[] SizeAttributes = { ImageAttribute, PatchAttribute, EmbedAttribute, DepthAttribute, HeadsAttribute, MlpAttribute };

        /// <summary>The model and every diagnostic (for the analyzer).</summary>
        public static ParseResult Parse(INamedTypeSymbol type, CancellationToken cancellationToken) => Parse(type, reportDiagnostics: true, cancellationToken);

        /// <summary>
        /// The model alone (for the generator, whose transform runs again for every declaration on every edit): the same
        /// checks, but no diagnostic objects, messages, locations or trace text are built.
        /// </summary>
        public static ModelSpec? ParseModel(INamedTypeSymbol type, CancellationToken cancellationToken) =>
            Parse(type, reportDiagnostics: false, cancellationToken).Model;

        private static ParseResult Parse(INamedTypeSymbol type, bool reportDiagnostics, CancellationToken cancellationToken)
        {
            var context = new ParseContext(type, reportDiagnostics, cancellationToken);
            var model = context.Run();
            return new ParseResult(context.HasErrors ? null : model, context.Diagnostics.ToImmutable());
        }

        private sealed class ParseContext
        {
            private readonly INamedTypeSymbol type;
            private readonly CancellationToken cancellationToken;
            private readonly Dictionary<string, AttributeData> attributes = new Dictionary<string, AttributeData>();
            private readonly List<AttributeData> expectations = new List<AttributeData>();
            private AttributeData? vit;

            private readonly bool reportDiagnostics;

            public ParseContext(INamedTypeSymbol type, bool reportDiagnostics, CancellationToken cancellationToken)
            {
                this.type = type;
                this.reportDiagnostics = reportDiagnostics;
                this.cancellationToken = cancellationToken;
            }

            public ImmutableArray<Diagnostic>.Builder Diagnostics { get; } = ImmutableArray.CreateBuilder<Diagnostic>();

            public bool HasErrors { get; private set; }

            private string Name => type.Name;

            public ModelSpec? Run()
            {
                if (!CheckTypeShape(out var containing)) return null;
                if (!CollectAttributes()) return null;
                if (vit is null) return null;

                var spec = new VitSpec();
                var preset = (VitPreset)ReadNamedInt(vit, "Preset", 0);
                spec.NumClasses = ReadNamedInt(vit, "NumClasses", 1000);
                spec.Pooling = (Pooling)ReadNamedInt(vit, "Pooling", 0);
                spec.ClassToken = ReadNamedBool(vit, "ClassToken", true);
                spec.RegisterTokens = ReadNamedInt(vit, "RegisterTokens", 0);
                spec.QkvBias = ReadNamedBool(vit, "QkvBias", true);
                spec.RepresentationSize = ReadNamedInt(vit, "RepresentationSize", 0);
                double layerScaleInit = ReadNamedDouble(vit, "LayerScaleInit", 0);
                double dropout = ReadNamedDouble(vit, "Dropout", 0);
                double attentionDropout = ReadNamedDouble(vit, "AttentionDropout", 0);
                double dropPath = ReadNamedDouble(vit, "DropPath", 0);
                double patchDropout = ReadNamedDouble(vit, "PatchDropout", 0);
                double layerNormEps = ReadNamedDouble(vit, "LayerNormEps", 1e-6);
                spec.LayerScale = layerScaleInit > 0;

                CheckEnum("Preset", (int)preset, 0, 5, "one of VitPreset.None, Tiny, Small, Base, Large, Huge");
                CheckEnum("Pooling", (int)spec.Pooling, 0, 1, "Pooling.ClassToken or Pooling.Mean");
                CheckRate("Dropout", dropout);
                CheckRate("AttentionDropout", attentionDropout);
                CheckRate("DropPath", dropPath);
                CheckRate("PatchDropout", patchDropout);
                if (!(layerNormEps > 0) || double.IsInfinity(layerNormEps))
                    Report(DiagnosticDescriptors.InvalidOption, NamedArgumentLocation(vit, "LayerNormEps"), null, "LayerNormEps", "positive and finite", Format(layerNormEps));
                if (!(layerScaleInit >= 0) || double.IsInfinity(layerScaleInit))
                    Report(DiagnosticDescriptors.InvalidOption, NamedArgumentLocation(vit, "LayerScaleInit"), null, "LayerScaleInit", "zero (off) or positive and finite", Format(layerScaleInit));

                if (attributes.TryGetValue(ImageAttribute, out var image))
                {
                    ReadPair(image, out int height, out int width);
                    spec.ImageHeight = height;
                    spec.ImageWidth = width;
                    spec.Channels = ReadNamedInt(image, "Channels", 3);
                }
                if (attributes.TryGetValue(PatchAttribute, out var patch))
                {
                    ReadPair(patch, out int height, out int width);
                    spec.PatchHeight = height;
                    spec.PatchWidth = width;
                }
                spec.EmbedDim = ReadSingle(EmbedAttribute);
                spec.Depth = ReadSingle(DepthAttribute);
                spec.Heads = ReadSingle(HeadsAttribute);
                spec.MlpDim = ReadSingle(MlpAttribute);

                if (preset >= VitPreset.Tiny && preset <= VitPreset.Huge) ApplyPresetToMissing(spec, preset);
                else RequireAttributes();
                if (HasErrors) return null;

                var geometry = Prove(spec);
                if (geometry is null) return null;
                CheckExpectations(geometry);
                if (HasErrors) return null;

                if (reportDiagnostics)
                    Report(DiagnosticDescriptors.ProvenTrace, ClassLocation(), null, Name, geometry.Trace,
                           geometry.ParameterCount.ToString("N0", CultureInfo.InvariantCulture),
                           (geometry.Macs / 1e9).ToString("0.###", CultureInfo.InvariantCulture));

                return new ModelSpec(
                    type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                    type.Name, containing.ToEquatableArray(),
                    spec.ImageHeight, spec.ImageWidth, spec.Channels, spec.PatchHeight, spec.PatchWidth, spec.EmbedDim, spec.Depth,
                    spec.Heads, spec.MlpDim, spec.NumClasses, spec.Pooling, spec.ClassToken, spec.RegisterTokens, spec.QkvBias,
                    layerScaleInit, spec.RepresentationSize, dropout, attentionDropout, dropPath, patchDropout, layerNormEps);
            }

            // ---- the declared type --------------------------------------------------------------------------------------

            private bool CheckTypeShape(out List<ContainingType> containing)
            {
                containing = new List<ContainingType>();
                // A declaration missing its name (C# reports CS1001) cannot be extended: generate nothing for it.
                for (var named = type; named is not null; named = named.ContainingType)
                    if (named.Name.Length == 0) return false;
                var location = ClassLocation();
                if (type.IsRecord)
                    return Fail(DiagnosticDescriptors.UnsupportedType, location, Name, "a record", "declare it as 'partial class'");
                if (type.TypeKind != TypeKind.Class)
                    return Fail(DiagnosticDescriptors.UnsupportedType, location, Name, "a " + type.TypeKind.ToString().ToLowerInvariant(), "declare it as 'partial class'");
                if (type.IsFileLocal)
                    return Fail(DiagnosticDescriptors.UnsupportedType, location, Name, "file-local", "remove the 'file' modifier");
                bool ok = true;
                if (type.IsStatic) ok = Fail(DiagnosticDescriptors.StaticClass, location, Name);
                if (type.Arity > 0) ok = Fail(DiagnosticDescriptors.GenericClass, location, Name);
                if (!IsPartial(type)) ok = Fail(DiagnosticDescriptors.NotPartial, location, Name);

                var chain = new List<ContainingType>();
                for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    var outerLocation = outer.Locations.FirstOrDefault(l => l.IsInSource) ?? location;
                    // Containing-type problems are reported on the model's identifier: local to the analysed symbol, so the IDE
                    // shows them as you type.
                    if (outer.Arity > 0)
                        ok = Fail(DiagnosticDescriptors.UnsupportedType, location, Name, "nested in the generic type '" + outer.Name + "'", "move it out of the generic type");
                    else if (outer.IsFileLocal)
                        ok = Fail(DiagnosticDescriptors.UnsupportedType, location, Name, "nested in the file-local type '" + outer.Name + "'", "move it out of the file-local type");
                    else if (!IsPartial(outer))
                    {
                        // Reported on the model's own identifier, so it is local to the symbol being analysed and the IDE shows
                        // it as you type; the containing type's identifier is the additional location the code fix edits.
                        Report(DiagnosticDescriptors.ContainingTypeNotPartial, location, null, new[] { outerLocation }, outer.Name, Name);
                        ok = false;
                    }
                    chain.Insert(0, new ContainingType(Keyword(outer), outer.Name));
                }
                containing = chain;
                return CheckUserMembers() && ok;
            }

            /// <summary>SVIT0019 for user members that the generated part also declares, SVIT0020 for a user base class.</summary>
            private bool CheckUserMembers()
            {
                bool ok = true;
                if (Array.IndexOf(Emitter.GeneratedMemberNames, type.Name) >= 0)
                    ok = Fail(DiagnosticDescriptors.GeneratedMemberConflict, ClassLocation(), Name, type.Name,
                              "rename the class: a member cannot share its enclosing type's name");
                // MemberNames comes from the declarations without binding any member; most classes stop here.
                var suspects = new List<ISymbol>();
                foreach (var name in type.MemberNames)
                    if (name == WellKnownMemberNames.InstanceConstructorName || Array.IndexOf(Emitter.GeneratedMemberNames, name) >= 0)
                        suspects.AddRange(type.GetMembers(name));
                foreach (var member in suspects)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member.IsImplicitlyDeclared || !IsUserDeclared(member)) continue;
                    bool clash = member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                        ? constructor.Parameters.Length == 1 && constructor.Parameters[0].Type.ToDisplayString() == "long?"
                        : Array.IndexOf(Emitter.GeneratedMemberNames, member.Name) >= 0;
                    if (!clash) continue;
                    string what = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? "a constructor taking (long? seed)" : "'" + member.Name + "'";
                    ok = Fail(DiagnosticDescriptors.GeneratedMemberConflict, member.Locations.FirstOrDefault(l => l.IsInSource) ?? ClassLocation(),
                              Name, what, "rename or remove it");
                }

                var baseType = type.BaseType;
                if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && !IsTorchModule(baseType))
                {
                    Location where = ClassLocation();
                    foreach (var reference in type.DeclaringSyntaxReferences)
                        if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: { } list } && list.Types.Count > 0 && !IsGenerated(reference.SyntaxTree))
                        {
                            where = list.Types[0].GetLocation();
                            break;
                        }
                    ok = Fail(DiagnosticDescriptors.UserBaseClass, where, Name, baseType.ToDisplayString());
                }
                return ok;
            }

            private bool IsUserDeclared(ISymbol member)
            {
                foreach (var reference in member.DeclaringSyntaxReferences)
                    if (!IsGenerated(reference.SyntaxTree)) return true;
                return false;
            }

            // The analyzer sees the compilation with our generated files in it; those members are ours, not the user's.
            private static bool IsGenerated(SyntaxTree tree) =>
                tree.FilePath.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) && tree.FilePath.Contains(nameof(VisionTransformerGenerator));

            private static bool IsTorchModule(INamedTypeSymbol baseType) =>
                baseType.ToDisplayString() == "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

            private static string Keyword(INamedTypeSymbol outer)
            {
                string prefix = outer.IsStatic ? "static " : "";
                if (outer.IsRecord) return outer.TypeKind == TypeKind.Struct ? "record struct" : "record";
                switch (outer.TypeKind)
                {
                    case TypeKind.Struct: return "struct";
                    case TypeKind.Interface: return "interface";
                    default: return prefix + "class";
                }
            }

            private bool IsPartial(INamedTypeSymbol symbol)
            {
                foreach (var reference in symbol.DeclaringSyntaxReferences)
                    if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration &&
                        declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
                        return true;
                return false;
            }

            // ---- attributes ---------------------------------------------------------------------------------------------

            private bool CollectAttributes()
            {
                bool readable = true;
                foreach (var attribute in type.GetAttributes())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string? name = OurAttributeName(attribute.AttributeClass);
                    bool ours = name == VisionTransformerAttribute || name == ExpectShapeAttribute || Array.IndexOf(SizeAttributes, name) >= 0;
                    if (!ours) continue;
                    if (!IsReadable(attribute))
                    {
                        Report(DiagnosticDescriptors.UnreadableAttribute, AttributeLocation(attribute), null, ShortName(name!), Name);
                        readable = false;
                        continue;
                    }
                    if (name == ExpectShapeAttribute) { expectations.Add(attribute); continue; }
                    if (name == VisionTransformerAttribute)
                    {
                        // Twice (C# reports CS0579) would otherwise give one model per marked part and a duplicate hint name.
                        if (vit is not null)
                            Report(DiagnosticDescriptors.DuplicateAttribute, AttributeLocation(attribute), null,
                                   ShortName(name), Name, DescribeArguments(vit), DescribeArguments(attribute));
                        vit ??= attribute;
                        continue;
                    }
                    if (attributes.TryGetValue(name!, out var first))
                    {
                        Report(DiagnosticDescriptors.DuplicateAttribute, AttributeLocation(attribute), null,
                               ShortName(name!), Name, DescribeArguments(first), DescribeArguments(attribute));
                        continue;
                    }
                    attributes.Add(name!, attribute);
                }
                return readable;
            }

            /// <summary>
            /// "ShapedVit.XAttribute" for a top-level type of the ShapedVit namespace, else null. Cheaper than ToDisplayString,
            /// which formats every attribute of every model on every edit (the generator's transform runs that often).
            /// </summary>
            private static string? OurAttributeName(INamedTypeSymbol? attributeClass)
            {
                if (attributeClass is null || attributeClass.ContainingType is not null) return null;
                var ns = attributeClass.ContainingNamespace;
                if (ns is null || ns.Name != "ShapedVit" || ns.ContainingNamespace is not { IsGlobalNamespace: true }) return null;
                return "ShapedVit." + attributeClass.Name;
            }

            private static bool IsReadable(AttributeData attribute)
            {
                if (attribute.AttributeConstructor is null) return false;
                // Every size attribute and [ExpectShape] take at least one positional argument; a look-alike attribute
                // declared by user code without one is not ours to read.
                if (OurAttributeName(attribute.AttributeClass) != VisionTransformerAttribute && attribute.ConstructorArguments.Length == 0) return false;
                foreach (var argument in attribute.ConstructorArguments)
                    if (argument.Kind == TypedConstantKind.Error || (argument.Kind != TypedConstantKind.Array && argument.Value is null)) return false;
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is null) return false;
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
                if (syntax?.ArgumentList is { } list && (list.CloseParenToken.IsMissing || list.Arguments.Any(a => a.Expression.IsMissing))) return false;
                return true;
            }

            private void RequireAttributes()
            {
                var missing = new (string Attribute, string Example)[]
                {
                    (ImageAttribute, "[Image(224)]"), (PatchAttribute, "[Patch(16)]"), (EmbedAttribute, "[Embed(768)]"),
                    (DepthAttribute, "[Depth(12)]"), (HeadsAttribute, "[Heads(12)]"),
                };
                foreach (var (attribute, example) in missing)
                    if (!attributes.ContainsKey(attribute))
                        Report(DiagnosticDescriptors.MissingAttribute, AttributeLocation(vit!), null, Name, ShortName(attribute), example);
            }

            /// <summary>
            /// Fills from the preset only what no attribute states: VitSpec.ApplyPreset fills every 0, which would silently
            /// replace an explicit, invalid [Embed(0)], [Depth(0)], [Heads(0)], [Image(0)] or [Patch(0)] instead of reporting it.
            /// </summary>
            private void ApplyPresetToMissing(VitSpec spec, VitPreset preset)
            {
                var defaults = new VitSpec();
                defaults.ApplyPreset(preset);
                if (!attributes.ContainsKey(ImageAttribute)) { spec.ImageHeight = defaults.ImageHeight; spec.ImageWidth = defaults.ImageWidth; }
                if (!attributes.ContainsKey(PatchAttribute)) { spec.PatchHeight = defaults.PatchHeight; spec.PatchWidth = defaults.PatchWidth; }
                if (!attributes.ContainsKey(EmbedAttribute)) spec.EmbedDim = defaults.EmbedDim;
                if (!attributes.ContainsKey(DepthAttribute)) spec.Depth = defaults.Depth;
                if (!attributes.ContainsKey(HeadsAttribute)) spec.Heads = defaults.Heads;
                if (spec.MlpDim == 0) spec.MlpDim = defaults.MlpDim; // [Mlp(0)] asks for the default width, which the preset states
            }

            private void ReadPair(AttributeData attribute, out int height, out int width)
            {
                height = Int(attribute.ConstructorArguments[0]);
                width = attribute.ConstructorArguments.Length > 1 ? Int(attribute.ConstructorArguments[1]) : height;
            }

            private int ReadSingle(string attributeName) =>
                attributes.TryGetValue(attributeName, out var attribute) ? Int(attribute.ConstructorArguments[0]) : 0;

            private static int Int(TypedConstant constant) => constant.Value is int value ? value : 0;

            private static int ReadNamedInt(AttributeData attribute, string name, int fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is int value) return value;
                return fallback;
            }

            private static bool ReadNamedBool(AttributeData attribute, string name, bool fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is bool value) return value;
                return fallback;
            }

            private static double ReadNamedDouble(AttributeData attribute, string name, double fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is double value) return value;
                return fallback;
            }

            private void CheckEnum(string property, int value, int min, int max, string allowed)
            {
                if (value < min || value > max)
                    Report(DiagnosticDescriptors.InvalidOption, NamedArgumentLocation(vit!, property), null, property, allowed, value.ToString(CultureInfo.InvariantCulture));
            }

            private void CheckRate(string property, double value)
            {
                if (!(value >= 0 && value < 1))
                    Report(DiagnosticDescriptors.InvalidOption, NamedArgumentLocation(vit!, property), null, property, "in [0, 1)", Format(value));
            }

            // ---- shapes -------------------------------------------------------------------------------------------------

            private VitGeometry? Prove(VitSpec spec)
            {
                var geometry = VitGeometry.TryCreate(spec, out var problems);
                foreach (var problem in problems)
                {
                    switch (problem.Kind)
                    {
                        case ShapeProblemKind.NonPositiveSize:
                        {
                            bool zeroAllowed = problem.Subject == "Mlp" || problem.Subject == "NumClasses" || problem.Subject == "RegisterTokens" || problem.Subject == "RepresentationSize";
                            Report(DiagnosticDescriptors.NonPositiveSize, SubjectLocation(problem.Subject), null,
                                   DisplayName(problem.Subject), zeroAllowed ? "zero or positive" : "positive", Num(problem.Value));
                            break;
                        }
                        case ShapeProblemKind.TooLarge:
                            Report(DiagnosticDescriptors.TooLarge, SubjectLocation(problem.Subject), null,
                                   DisplayName(problem.Subject), Num(problem.Value), Num(problem.Other));
                            break;
                        case ShapeProblemKind.ImageNotDivisibleByPatch:
                        {
                            long image = problem.Value, patchSize = problem.Other;
                            var patches = VitGeometry.NearestDivisors(image, patchSize, 2);
                            long lower = image / patchSize * patchSize, upper = lower + patchSize;
                            string images = lower > 0 ? Num(lower) + ", " + Num(upper) : Num(upper);
                            // The whole [Patch] the fix writes: each axis that does not divide its image gets its nearest divisor.
                            long fixedHeight = spec.ImageHeight % spec.PatchHeight == 0 ? spec.PatchHeight : VitGeometry.NearestDivisors(spec.ImageHeight, spec.PatchHeight, 1)[0];
                            long fixedWidth = spec.ImageWidth % spec.PatchWidth == 0 ? spec.PatchWidth : VitGeometry.NearestDivisors(spec.ImageWidth, spec.PatchWidth, 1)[0];
                            var properties = ImmutableDictionary<string, string?>.Empty
                                .Add("Axis", problem.Axis).Add("SuggestedPatch", Num(patches[0]))
                                .Add("SuggestedPatchSize", Num(fixedHeight) + "," + Num(fixedWidth));
                            Report(DiagnosticDescriptors.ImageNotDivisibleByPatch, PatchLocation(problem.Axis, spec), properties,
                                   problem.Axis, Num(image), Num(patchSize), string.Join(", ", patches.Select(Num)), images);
                            break;
                        }
                        case ShapeProblemKind.EmbedNotDivisibleByHeads:
                        {
                            var heads = VitGeometry.NearestDivisors(problem.Value, problem.Other, 3);
                            var properties = ImmutableDictionary<string, string?>.Empty.Add("SuggestedHeads", Num(heads[0]));
                            Report(DiagnosticDescriptors.EmbedNotDivisibleByHeads, HeadsLocation(), properties,
                                   Num(problem.Value), Num(problem.Other), string.Join(", ", heads.Select(Num)));
                            break;
                        }
                        case ShapeProblemKind.ClassTokenPoolingWithoutClassToken:
                            Report(DiagnosticDescriptors.ClassTokenPoolingWithoutClassToken,
                                   NamedArgumentLocation(vit!, "ClassToken"), null);
                            break;
                        case ShapeProblemKind.HeadDimNotMultipleOf8:
                            Report(DiagnosticDescriptors.HeadDimNotMultipleOf8, HeadsLocation(), null,
                                   Num(problem.Value), Num(spec.EmbedDim), Num(problem.Other), SuggestHeads(spec.EmbedDim, spec.Heads));
                            break;
                    }
                }
                return geometry;
            }

            private static string SuggestHeads(long embed, long heads)
            {
                var good = VitGeometry.Divisors(embed).Where(h => (embed / h) % 8 == 0).ToList();
                if (good.Count == 0) return "use an embed dimension that is a multiple of 8 x heads (" + Num(8 * heads) + ", " + Num(16 * heads) + ")";
                var nearest = good.OrderBy(h => Math.Abs(h - heads)).ThenBy(h => h).Take(2).OrderBy(h => h);
                return "consider " + string.Join(" or ", nearest.Select(Num)) + " heads";
            }

            private void CheckExpectations(VitGeometry geometry)
            {
                foreach (var expectation in expectations)
                {
                    int stageValue = expectation.ConstructorArguments[0].Value is int s ? s : -1;
                    var stage = (Stage)stageValue;
                    // [ExpectShape(stage, null)] passes a null array, whose Values are default: read it as no dims.
                    var dims = expectation.ConstructorArguments.Length > 1 && expectation.ConstructorArguments[1].Kind == TypedConstantKind.Array
                               && !expectation.ConstructorArguments[1].IsNull
                        ? expectation.ConstructorArguments[1].Values.Select(v => v.Value is int i ? (long)i : 0L).ToArray()
                        : Array.Empty<long>();
                    if (stageValue < 0 || stageValue > (int)Stage.Logits)
                    {
                        Report(DiagnosticDescriptors.UnknownStage, PositionalLocation(expectation, 0), null,
                               "Stage " + Num(stageValue) + " does not exist: use Stage.Image, PatchTokens, Tokens, Features or Logits");
                        continue;
                    }
                    var proven = geometry.ShapeAt(stage);
                    if (proven is null)
                    {
                        Report(DiagnosticDescriptors.UnknownStage, PositionalLocation(expectation, 0), null,
                               "Stage.Logits does not exist: '" + Name + "' is headless (NumClasses = 0); expect Stage.Features instead");
                        continue;
                    }
                    if (proven.SequenceEqual(dims)) continue;
                    var properties = ImmutableDictionary<string, string?>.Empty.Add("ProvenShape", string.Join(",", proven.Select(Num)));
                    Report(DiagnosticDescriptors.ExpectedShapeMismatch, ExpectedDimsLocation(expectation), properties,
                           stage.ToString(), VitGeometry.FormatShape(dims), VitGeometry.FormatShape(proven), Explain(stage, geometry));
                }
            }

            private static string Explain(Stage stage, VitGeometry g)
            {
                var spec = g.Spec;
                switch (stage)
                {
                    case Stage.Image: return " (height, width, channels)";
                    case Stage.PatchTokens:
                        return " (" + Num(g.GridHeight) + " x " + Num(g.GridWidth) + " patches of " + Num(spec.PatchHeight) + "x" + Num(spec.PatchWidth) + ", " + Num(spec.EmbedDim) + " wide)";
                    case Stage.Tokens:
                    {
                        var parts = new List<string> { Num(g.NumPatches) + " patches" };
                        if (spec.ClassToken) parts.Add("1 class token");
                        if (spec.RegisterTokens > 0) parts.Add(Num(spec.RegisterTokens) + " register tokens");
                        return " (" + string.Join(" + ", parts) + ")";
                    }
                    case Stage.Features: return " (the pooled " + Num(spec.EmbedDim) + "-wide feature vector)";
                    default: return " (" + Num(spec.NumClasses) + " classes)";
                }
            }

            // ---- locations ----------------------------------------------------------------------------------------------

            private Location ClassLocation()
            {
                var syntax = vit?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                var declaration = syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                if (declaration is not null) return declaration.Identifier.GetLocation();
                return type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
            }

            private Location AttributeLocation(AttributeData attribute) =>
                attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? ClassLocation();

            private Location PositionalLocation(AttributeData attribute, int index)
            {
                if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax && syntax.ArgumentList is { } list)
                {
                    var positional = list.Arguments.Where(a => a.NameEquals is null).ToList();
                    string? parameterName = attribute.AttributeConstructor is { } ctor && index < ctor.Parameters.Length ? ctor.Parameters[index].Name : null;
                    var byName = positional.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameterName);
                    if (byName is not null) return byName.Expression.GetLocation();
                    if (index < positional.Count && positional[index].NameColon is null) return positional[index].Expression.GetLocation();
                }
                return AttributeLocation(attribute);
            }

            private Location NamedArgumentLocation(AttributeData attribute, string name)
            {
                if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax && syntax.ArgumentList is { } list)
                    foreach (var argument in list.Arguments)
                        if (argument.NameEquals?.Name.Identifier.ValueText == name) return argument.Expression.GetLocation();
                return AttributeLocation(attribute);
            }

            private Location ExpectedDimsLocation(AttributeData expectation)
            {
                if (expectation.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax && syntax.ArgumentList is { } list)
                {
                    var dims = list.Arguments.Where(a => a.NameEquals is null).Skip(1).ToList();
                    if (dims.Count > 0)
                        return Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(dims[0].SpanStart, dims[dims.Count - 1].Span.End));
                }
                return AttributeLocation(expectation);
            }

            private Location PatchLocation(string axis, VitSpec spec)
            {
                if (!attributes.TryGetValue(PatchAttribute, out var patch)) return PresetLocation();
                bool square = patch.ConstructorArguments.Length == 1;
                return PositionalLocation(patch, square || axis == "height" ? 0 : 1);
            }

            private Location HeadsLocation() =>
                attributes.TryGetValue(HeadsAttribute, out var heads) ? PositionalLocation(heads, 0)
                : attributes.TryGetValue(EmbedAttribute, out var embed) ? PositionalLocation(embed, 0)
                : PresetLocation();

            private Location PresetLocation() => NamedArgumentLocation(vit!, "Preset");

            private Location SubjectLocation(string subject)
            {
                switch (subject)
                {
                    case "Image.Height": return SizeLocation(ImageAttribute, 0);
                    case "Image.Width": return SizeLocation(ImageAttribute, 1);
                    case "Image.Channels":
                        return attributes.TryGetValue(ImageAttribute, out var image) ? NamedArgumentLocation(image, "Channels") : PresetLocation();
                    case "Patch.Height": return SizeLocation(PatchAttribute, 0);
                    case "Patch.Width": return SizeLocation(PatchAttribute, 1);
                    case "Embed": return SizeLocation(EmbedAttribute, 0);
                    case "Depth": return SizeLocation(DepthAttribute, 0);
                    case "Heads": return SizeLocation(HeadsAttribute, 0);
                    case "Mlp": return SizeLocation(MlpAttribute, 0);
                    case "NumClasses":
                    case "RegisterTokens":
                    case "RepresentationSize":
                        return NamedArgumentLocation(vit!, subject);
                    default: return ClassLocation();
                }
            }

            private Location SizeLocation(string attributeName, int index)
            {
                if (!attributes.TryGetValue(attributeName, out var attribute)) return PresetLocation();
                return PositionalLocation(attribute, Math.Min(index, attribute.ConstructorArguments.Length - 1));
            }

            // ---- reporting ----------------------------------------------------------------------------------------------

            private bool Fail(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                Report(descriptor, location, null, arguments);
                return false;
            }

            private void Report(DiagnosticDescriptor descriptor, Location location, ImmutableDictionary<string, string?>? properties, params object[] arguments) =>
                Report(descriptor, location, properties, null, arguments);

            private void Report(DiagnosticDescriptor descriptor, Location location, ImmutableDictionary<string, string?>? properties,
                                IEnumerable<Location>? additionalLocations, params object[] arguments)
            {
                if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) HasErrors = true;
                if (reportDiagnostics) Diagnostics.Add(Diagnostic.Create(descriptor, location, additionalLocations, properties, arguments));
            }

            private static string DisplayName(string subject)
            {
                switch (subject)
                {
                    case "Image.Height": return "Image height";
                    case "Image.Width": return "Image width";
                    case "Image.Channels": return "Image channels";
                    case "Patch.Height": return "Patch height";
                    case "Patch.Width": return "Patch width";
                    case "Embed": return "Embed dimension";
                    case "Depth": return "Depth";
                    case "Heads": return "Head count";
                    case "Mlp": return "MLP hidden dimension";
                    default: return subject;
                }
            }

            private static string DescribeArguments(AttributeData attribute) =>
                string.Join(", ", attribute.ConstructorArguments.Select(a => a.Kind == TypedConstantKind.Array ? "[...]" : Convert.ToString(a.Value, CultureInfo.InvariantCulture)))
                is var text && text.Length > 0 ? "(" + text + ")" : "()";

            private static string ShortName(string metadataName)
            {
                string name = metadataName.Substring(metadataName.LastIndexOf('.') + 1);
                return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
            }

            private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

            private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}
