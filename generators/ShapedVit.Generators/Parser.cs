using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ShapedVit.Generators
{
    /// <summary>The parser's output: the value-equal declaration, and where each of its parts is written (for the analyzer).</summary>
    internal sealed class ParsedDeclaration
    {
        public ParsedDeclaration(VitDeclaration declaration, DeclarationLocations locations) { Declaration = declaration; Locations = locations; }
        public VitDeclaration Declaration { get; }
        public DeclarationLocations Locations { get; }
    }

    /// <summary>
    /// Reads a [VisionTransformer] class into a <see cref="VitDeclaration"/>: the C# type rules and the attribute decoding
    /// (presets applied), with the problems found on the way as values. It proves nothing: shape problems, suggestions and
    /// diagnostics are <see cref="ShapeDiagnostics"/>'s. Used by the generator (which keeps the declaration) and the analyzer
    /// (which also uses the locations).
    /// </summary>
    internal static class Parser
    {
        /// <summary>The defaults, read from the linked attribute declaration rather than restated.</summary>
        private static readonly VisionTransformerAttribute Defaults = new VisionTransformerAttribute();
        private static readonly ImageAttribute ImageDefaults = new ImageAttribute(1);
        private static readonly PatchAttribute PatchDefaults = new PatchAttribute(1);
        private static readonly MlpAttribute MlpDefaults = new MlpAttribute(0);
        private static readonly PositionEmbeddingAttribute PositionEmbeddingDefaults = new PositionEmbeddingAttribute();
        private static readonly NormAttribute NormDefaults = new NormAttribute();
        private static readonly AttentionAttribute AttentionDefaults = new AttentionAttribute();

        /// <summary>The declaration, or null for a type with no name (C# reports CS1001; nothing can be generated for it).</summary>
        public static ParsedDeclaration? Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            for (var named = type; named is not null; named = named.ContainingType)
                if (named.Name.Length == 0) return null;
            return new Reader(type, compilation, cancellationToken).Read();
        }

        private sealed class Reader
        {
            private readonly INamedTypeSymbol type;
            private readonly Compilation compilation;
            private readonly CancellationToken cancellationToken;
            private readonly DeclarationLocations locations;
            private readonly List<DeclarationProblem> problems = new List<DeclarationProblem>();
            private readonly List<string> userMembers = new List<string>();
            private readonly Dictionary<string, AttributeData> sizes = new Dictionary<string, AttributeData>();
            private readonly List<AttributeData> expectations = new List<AttributeData>();
            private AttributeData? vit;
            private bool extensible = true;
            private bool userBaseClass;
            private PrimaryConstructor? primaryConstructor;

            public Reader(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
            {
                this.type = type;
                this.compilation = compilation;
                this.cancellationToken = cancellationToken;
                locations = new DeclarationLocations(type, cancellationToken);
            }

            private string Name => type.Name;

            public ParsedDeclaration Read()
            {
                var containing = CheckType();
                var spec = new VitSpec();
                var expected = new List<Expectation>();
                // As C# does, type problems come first and stop the reading: attributes of a type that cannot be generated
                // are not judged.
                if (problems.Count == 0 && CollectAttributes() && vit is not null)
                {
                    spec = ReadSpec();
                    foreach (var expectation in expectations) expected.Add(ReadExpectation(expectation));
                }
                var declaration = new VitDeclaration(
                    type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                    type.Name, containing.ToEquatableArray(), spec, expected.ToEquatableArray(), problems.ToEquatableArray(),
                    extensible, userBaseClass, userMembers.ToEquatableArray(), primaryConstructor, type.IsAbstract, ShortNamesCannotClash());
                return new ParsedDeclaration(declaration, locations);
            }

            // ---- the C# type ---------------------------------------------------------------------------------------------

            private List<ContainingType> CheckType()
            {
                var chain = new List<ContainingType>();
                if (type.IsRecord) { Unsupported("a record", "declare it as 'partial class'"); return chain; }
                if (type.TypeKind != TypeKind.Class) { Unsupported("a " + type.TypeKind.ToString().ToLowerInvariant(), "declare it as 'partial class'"); return chain; }
                if (type.IsFileLocal) { Unsupported("file-local", "remove the 'file' modifier"); return chain; }
                if (type.IsStatic) TypeProblem(DiagnosticDescriptors.StaticClass, Subject.Class, 0, Name);
                if (type.Arity > 0) TypeProblem(DiagnosticDescriptors.GenericClass, Subject.Class, 0, Name);
                if (!IsPartial(type)) TypeProblem(DiagnosticDescriptors.NotPartial, Subject.Class, 0, Name);

                int depth = 0;
                for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType, depth++)
                {
                    // Containing-type problems are reported on the model's identifier: local to the analysed symbol, so the IDE
                    // shows them as you type; a containing type's identifier is the additional location the code fix edits.
                    if (outer.Arity > 0) Unsupported("nested in the generic type '" + outer.Name + "'", "move it out of the generic type");
                    else if (outer.IsFileLocal) Unsupported("nested in the file-local type '" + outer.Name + "'", "move it out of the file-local type");
                    else if (!IsPartial(outer))
                    {
                        locations.AddContainingType(outer);
                        TypeProblem(DiagnosticDescriptors.ContainingTypeNotPartial, Subject.ContainingType, locations.ContainingTypeCount - 1, outer.Name, Name);
                    }
                    chain.Insert(0, new ContainingType(Keyword(outer), outer.Name));
                }
                CheckPrimaryConstructor();
                CheckUserMembers();
                return chain;
            }

            private void Unsupported(string what, string fix) => TypeProblem(DiagnosticDescriptors.UnsupportedType, Subject.Class, 0, Name, what, fix);

            /// <summary>A problem that leaves the type impossible to extend: nothing is generated for it.</summary>
            private void TypeProblem(DiagnosticDescriptor descriptor, Subject subject, int index, params string[] arguments)
            {
                extensible = false;
                Add(descriptor, subject, index, arguments);
            }

            /// <summary>
            /// SVIT0021. The type stays extensible: the generator emits a surface that chains to the primary constructor, so code
            /// that uses the class shows this error and no other (no CS1674 on 'using', no CS1739 on 'seed').
            /// </summary>
            private void CheckPrimaryConstructor()
            {
                foreach (var reference in type.DeclaringSyntaxReferences)
                    if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: { } parameters } && !IsGenerated(reference.SyntaxTree))
                    {
                        locations.PrimaryConstructor = parameters.GetLocation();
                        Add(DiagnosticDescriptors.PrimaryConstructor, Subject.PrimaryConstructor, 0, Name);
                        var constructor = type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == parameters.Parameters.Count && !c.IsImplicitlyDeclared
                                                                                      && c.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == reference.SyntaxTree && parameters.Span.Start >= r.Span.Start && parameters.Span.End <= r.Span.End));
                        var types = constructor?.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).ToList() ?? new List<string>();
                        bool chainable = constructor is not null
                                         && constructor.Parameters.All(p => p.RefKind is RefKind.None or RefKind.In && p.Type.TypeKind != TypeKind.Error)
                                         && !(types.Count == 1 && constructor.Parameters[0].Type.ToDisplayString() == "long?");
                        var standIns = new List<string>();
                        foreach (var name in new[] { "Dispose", "eval", "train" })
                            if (type.GetMembers(name).Any(IsUserDeclared)) standIns.Add(name);
                        primaryConstructor = new PrimaryConstructor(types.ToEquatableArray(), chainable, standIns.ToEquatableArray());
                        return;
                    }
            }

            /// <summary>SVIT0019 for user members that the generated part also declares, SVIT0020 for a user base class.</summary>
            private void CheckUserMembers()
            {
                if (Array.IndexOf(Emitter.GeneratedMemberNames, type.Name) >= 0)
                {
                    userMembers.Add(type.Name);
                    Add(DiagnosticDescriptors.GeneratedMemberConflict, Subject.Class, 0, Name, type.Name, "rename the class: a member cannot share its enclosing type's name");
                }
                // MemberNames comes from the declarations without binding any member; most classes stop here.
                var suspects = new List<ISymbol>();
                foreach (var name in type.MemberNames)
                    if (name == WellKnownMemberNames.InstanceConstructorName || Array.IndexOf(Emitter.GeneratedMemberNames, name) >= 0)
                        suspects.AddRange(type.GetMembers(name));
                foreach (var member in suspects)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member.IsImplicitlyDeclared || !IsUserDeclared(member)) continue;
                    bool constructor = member is IMethodSymbol { MethodKind: MethodKind.Constructor };
                    bool clash = constructor
                        ? ((IMethodSymbol)member).Parameters.Length == 1 && ((IMethodSymbol)member).Parameters[0].Type.ToDisplayString() == "long?"
                        : Array.IndexOf(Emitter.GeneratedMemberNames, member.Name) >= 0;
                    if (!clash) continue;
                    userMembers.Add(constructor ? WellKnownMemberNames.InstanceConstructorName : member.Name);
                    locations.AddMember(member.Locations.FirstOrDefault(l => l.IsInSource) ?? locations.ClassLocation());
                    Add(DiagnosticDescriptors.GeneratedMemberConflict, Subject.Member, locations.MemberCount - 1,
                        Name, constructor ? "a constructor taking (long? seed)" : "'" + member.Name + "'", "rename or remove it");
                }

                var baseType = type.BaseType;
                if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && !IsTorchModule(baseType))
                {
                    foreach (var reference in type.DeclaringSyntaxReferences)
                        if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: { } list } && list.Types.Count > 0 && !IsGenerated(reference.SyntaxTree))
                        {
                            locations.BaseType = list.Types[0].GetLocation();
                            break;
                        }
                    userBaseClass = true;
                    Add(DiagnosticDescriptors.UserBaseClass, Subject.BaseType, 0, Name, baseType.ToDisplayString());
                }
            }

            private static bool IsUserDeclared(ISymbol member)
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

            /// <summary>
            /// Whether the generated file may use <see cref="Emitter.UsingDirectives"/>: the model is in a namespace (in the
            /// global one the user's global usings sit beside them), and every one of <see cref="Emitter.ShortNames"/> binds
            /// to the intended type, because neither the class, its containing types nor its namespace (in any assembly)
            /// declare it and exactly one imported namespace does.
            /// </summary>
            private bool ShortNamesCannotClash()
            {
                if (type.ContainingNamespace is not { IsGlobalNamespace: false } declared) return false;
                var ns = compilation.GetCompilationNamespace(declared);
                if (ns is null) return false;
                var imported = new List<INamespaceSymbol>();
                foreach (var name in Emitter.ImportedNamespaces)
                {
                    INamespaceSymbol? current = compilation.GlobalNamespace;
                    foreach (var part in name.Split('.'))
                        current = current?.GetNamespaceMembers().FirstOrDefault(n => n.Name == part);
                    if (current is null) return false;
                    imported.Add(current);
                }
                var declaredInClasses = new HashSet<string>(type.MemberNames);
                for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType) declaredInClasses.UnionWith(outer.MemberNames);
                foreach (var name in Emitter.ShortNames)
                {
                    if (declaredInClasses.Contains(name) || ns.GetMembers(name).Any()) return false;
                    // An alias wins over imported namespaces; an attribute's short name is its type's, checked without the suffix.
                    if (name == "Tensor" || name == "GeneratedCode") continue;
                    int declaring = imported.Count(n => n.GetTypeMembers(name).Any(t => t.DeclaredAccessibility == Accessibility.Public));
                    if (declaring != 1) return false;
                }
                return true;
            }

            // ---- attributes ------------------------------------------------------------------------------------------------

            private bool CollectAttributes()
            {
                bool readable = true;
                foreach (var attribute in type.GetAttributes())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string? name = OurAttributeName(attribute.AttributeClass);
                    bool ours = name == AttributeNames.VisionTransformer || name == AttributeNames.ExpectShape
                                || Array.IndexOf(AttributeNames.Sizes, name) >= 0 || Array.IndexOf(AttributeNames.Options, name) >= 0;
                    if (!ours) continue;
                    if (!IsReadable(attribute))
                    {
                        Add(DiagnosticDescriptors.UnreadableAttribute, Subject.Attribute, locations.AddAttribute(attribute), AttributeNames.ShortName(name!), Name);
                        readable = false;
                        continue;
                    }
                    if (name == AttributeNames.ExpectShape) { expectations.Add(attribute); locations.AddExpectation(attribute); continue; }
                    if (name == AttributeNames.VisionTransformer)
                    {
                        // Twice (C# reports CS0579) would otherwise give one model per marked part.
                        if (vit is not null)
                            Add(DiagnosticDescriptors.DuplicateAttribute, Subject.Attribute, locations.AddAttribute(attribute),
                                AttributeNames.ShortName(name), Name, DescribeArguments(vit), DescribeArguments(attribute));
                        if (vit is null) locations.VisionTransformer = vit = attribute;
                        continue;
                    }
                    if (sizes.TryGetValue(name!, out var first))
                    {
                        Add(DiagnosticDescriptors.DuplicateAttribute, Subject.Attribute, locations.AddAttribute(attribute),
                            AttributeNames.ShortName(name!), Name, DescribeArguments(first), DescribeArguments(attribute));
                        continue;
                    }
                    sizes.Add(name!, attribute);
                    locations.AddSize(name!, attribute);
                }
                return readable;
            }

            /// <summary>
            /// "ShapedVit.XAttribute" for a top-level type of the ShapedVit namespace, else null. Cheaper than ToDisplayString,
            /// which formats every attribute of every model on every edit (the generator's transform runs that often).
            /// </summary>
            internal static string? OurAttributeName(INamedTypeSymbol? attributeClass)
            {
                if (attributeClass is null || attributeClass.ContainingType is not null) return null;
                var ns = attributeClass.ContainingNamespace;
                if (ns is null || ns.Name != AttributeNames.Namespace || ns.ContainingNamespace is not { IsGlobalNamespace: true }) return null;
                return AttributeNames.Namespace + "." + attributeClass.Name;
            }

            private static bool IsReadable(AttributeData attribute)
            {
                if (attribute.AttributeConstructor is null) return false;
                // Every size attribute and [ExpectShape] take at least one positional argument; a look-alike attribute
                // declared by user code without one is not ours to read. [VisionTransformer] and the option attributes
                // ([PositionEmbedding], [Norm], [Attention]) may be written without any.
                string? name = OurAttributeName(attribute.AttributeClass);
                if (name != AttributeNames.VisionTransformer && Array.IndexOf(AttributeNames.Options, name) < 0 && attribute.ConstructorArguments.Length == 0) return false;
                foreach (var argument in attribute.ConstructorArguments)
                    if (argument.Kind == TypedConstantKind.Error || (argument.Kind != TypedConstantKind.Array && argument.Value is null)) return false;
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is null) return false;
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
                if (syntax?.ArgumentList is { } list && (list.CloseParenToken.IsMissing || list.Arguments.Any(a => a.Expression.IsMissing))) return false;
                return true;
            }

            private VitSpec ReadSpec()
            {
                var v = vit!;
                var preset = (VitPreset)Named(v, nameof(VisionTransformerAttribute.Preset), (int)Defaults.Preset);
                var pooling = (Pooling)Named(v, nameof(VisionTransformerAttribute.Pooling), (int)Defaults.Pooling);
                double layerScaleInit = Named(v, nameof(VisionTransformerAttribute.LayerScaleInit), Defaults.LayerScaleInit);
                double dropout = Named(v, nameof(VisionTransformerAttribute.Dropout), Defaults.Dropout);
                double attentionDropout = Named(v, nameof(VisionTransformerAttribute.AttentionDropout), Defaults.AttentionDropout);
                double dropPath = Named(v, nameof(VisionTransformerAttribute.DropPath), Defaults.DropPath);
                double patchDropout = Named(v, nameof(VisionTransformerAttribute.PatchDropout), Defaults.PatchDropout);
                double layerNormEps = Named(v, nameof(VisionTransformerAttribute.LayerNormEps), Defaults.LayerNormEps);

                CheckEnum(Subject.Preset, (int)preset, 0, 5, "one of VitPreset.None, Tiny, Small, Base, Large, Huge");
                CheckEnum(Subject.Pooling, (int)pooling, 0, 2, "Pooling.ClassToken, Pooling.Mean or Pooling.AttentionPool");
                CheckRate(Subject.Dropout, dropout);
                CheckRate(Subject.AttentionDropout, attentionDropout);
                CheckRate(Subject.DropPath, dropPath);
                CheckRate(Subject.PatchDropout, patchDropout);
                if (!(layerNormEps > 0) || double.IsInfinity(layerNormEps))
                    Add(DiagnosticDescriptors.InvalidOption, Subject.LayerNormEps, 0, nameof(VisionTransformerAttribute.LayerNormEps), "positive and finite", Format(layerNormEps));
                if (!(layerScaleInit >= 0) || double.IsInfinity(layerScaleInit))
                    Add(DiagnosticDescriptors.InvalidOption, Subject.LayerScaleInit, 0, nameof(VisionTransformerAttribute.LayerScaleInit), "zero (off) or positive and finite", Format(layerScaleInit));

                int imageHeight = 0, imageWidth = 0, channels = ImageDefaults.Channels, patchHeight = 0, patchWidth = 0;
                bool dynamicSize = ImageDefaults.DynamicSize, patchBias = PatchDefaults.Bias;
                if (sizes.TryGetValue(AttributeNames.Image, out var image))
                {
                    ReadPair(image, out imageHeight, out imageWidth);
                    channels = Named(image, nameof(ImageAttribute.Channels), ImageDefaults.Channels);
                    dynamicSize = Named(image, nameof(ImageAttribute.DynamicSize), ImageDefaults.DynamicSize);
                }
                if (sizes.TryGetValue(AttributeNames.Patch, out var patch))
                {
                    ReadPair(patch, out patchHeight, out patchWidth);
                    patchBias = Named(patch, nameof(PatchAttribute.Bias), PatchDefaults.Bias);
                }

                var activation = MlpDefaults.Activation;
                var gate = MlpDefaults.Gate;
                bool mlpInnerNorm = MlpDefaults.InnerNorm;
                if (sizes.TryGetValue(AttributeNames.Mlp, out var mlpAttribute))
                {
                    activation = (MlpActivation)Named(mlpAttribute, nameof(MlpAttribute.Activation), (int)MlpDefaults.Activation);
                    gate = (MlpGate)Named(mlpAttribute, nameof(MlpAttribute.Gate), (int)MlpDefaults.Gate);
                    mlpInnerNorm = Named(mlpAttribute, nameof(MlpAttribute.InnerNorm), MlpDefaults.InnerNorm);
                    CheckEnum(Subject.MlpActivation, (int)activation, 0, 3, "one of MlpActivation.Gelu, GeluTanh, QuickGelu, Silu", nameof(MlpAttribute.Activation));
                    CheckEnum(Subject.MlpGate, (int)gate, 0, 2, "one of MlpGate.None, Packed, Split", nameof(MlpAttribute.Gate));
                }

                var positionEmbedding = PositionEmbeddingDefaults.PositionEmbedding;
                bool includesPrefix = PositionEmbeddingDefaults.IncludePrefixTokens;
                if (sizes.TryGetValue(AttributeNames.PositionEmbedding, out var position))
                {
                    if (position.ConstructorArguments.Length > 0) positionEmbedding = (PositionEmbeddingKind)Int(position.ConstructorArguments[0]);
                    includesPrefix = Named(position, nameof(PositionEmbeddingAttribute.IncludePrefixTokens), PositionEmbeddingDefaults.IncludePrefixTokens);
                    CheckEnum(Subject.PositionEmbedding, (int)positionEmbedding, 0, 1, "PositionEmbeddingKind.Learned or PositionEmbeddingKind.None", "PositionEmbedding");
                }

                var normKind = NormDefaults.Norm;
                bool preNorm = NormDefaults.PreNorm;
                var finalNorm = NormDefaults.FinalNorm;
                if (sizes.TryGetValue(AttributeNames.Norm, out var norm))
                {
                    if (norm.ConstructorArguments.Length > 0) normKind = (NormKind)Int(norm.ConstructorArguments[0]);
                    preNorm = Named(norm, nameof(NormAttribute.PreNorm), NormDefaults.PreNorm);
                    finalNorm = (FinalNorm)Named(norm, nameof(NormAttribute.FinalNorm), (int)NormDefaults.FinalNorm);
                    CheckEnum(Subject.Norm, (int)normKind, 0, 1, "NormKind.LayerNorm or NormKind.RmsNorm", "Norm");
                    CheckEnum(Subject.FinalNorm, (int)finalNorm, 0, 3, "one of FinalNorm.Auto, BeforePooling, AfterPooling, None", nameof(NormAttribute.FinalNorm));
                }

                var attention = sizes.TryGetValue(AttributeNames.Attention, out var declaredAttention) ? declaredAttention : null;
                bool AttentionOption(string option, bool fallback) => attention is null ? fallback : Named(attention, option, fallback);
                int rotaryReferenceGrid = attention is null ? AttentionDefaults.RotaryReferenceGrid
                                        : Named(attention, nameof(AttentionAttribute.RotaryReferenceGrid), AttentionDefaults.RotaryReferenceGrid);
                int embed = Single(AttributeNames.Embed), depth = Single(AttributeNames.Depth), heads = Single(AttributeNames.Heads), mlp = Single(AttributeNames.Mlp);

                // A preset fills only what no attribute states, so an explicit, invalid [Embed(0)] is reported, not replaced.
                if (VitSpec.ForPreset(preset) is { } sized)
                {
                    if (image is null) { imageHeight = sized.ImageHeight; imageWidth = sized.ImageWidth; }
                    if (patch is null) { patchHeight = sized.PatchHeight; patchWidth = sized.PatchWidth; }
                    if (!sizes.ContainsKey(AttributeNames.Embed)) embed = sized.EmbedDim;
                    if (!sizes.ContainsKey(AttributeNames.Depth)) depth = sized.Depth;
                    if (!sizes.ContainsKey(AttributeNames.Heads)) heads = sized.Heads;
                    if (mlp == 0) mlp = sized.MlpDim; // [Mlp(0)] asks for the default width, which the preset states
                }
                else RequireAttributes();

                bool runtimeClasses = Named(v, nameof(VisionTransformerAttribute.RuntimeNumClasses), Defaults.RuntimeNumClasses);
                int numClasses = Named(v, nameof(VisionTransformerAttribute.NumClasses), Defaults.NumClasses);
                if (runtimeClasses)
                {
                    if (v.NamedArguments.Any(a => a.Key == nameof(VisionTransformerAttribute.NumClasses)))
                        Add(DiagnosticDescriptors.InvalidOption, Subject.NumClasses, 0, nameof(VisionTransformerAttribute.NumClasses),
                            "left out with RuntimeNumClasses = true (the class count is then the constructor argument numClasses)",
                            numClasses.ToString(CultureInfo.InvariantCulture));
                    numClasses = 0;
                }

                return new VitSpec
                {
                    ImageHeight = imageHeight, ImageWidth = imageWidth, Channels = channels, PatchHeight = patchHeight, PatchWidth = patchWidth,
                    EmbedDim = embed, Depth = depth, Heads = heads, MlpDim = mlp,
                    NumClasses = numClasses,
                    RuntimeNumClasses = runtimeClasses,
                    Pooling = pooling,
                    ClassToken = Named(v, nameof(VisionTransformerAttribute.ClassToken), Defaults.ClassToken),
                    RegisterTokens = Named(v, nameof(VisionTransformerAttribute.RegisterTokens), Defaults.RegisterTokens),
                    QkvBias = Named(v, nameof(VisionTransformerAttribute.QkvBias), Defaults.QkvBias),
                    LayerScaleInit = layerScaleInit,
                    RepresentationSize = Named(v, nameof(VisionTransformerAttribute.RepresentationSize), Defaults.RepresentationSize),
                    Dropout = dropout, AttentionDropout = attentionDropout, DropPath = dropPath, PatchDropout = patchDropout,
                    LayerNormEps = layerNormEps,
                    DistillationToken = Named(v, nameof(VisionTransformerAttribute.DistillationToken), Defaults.DistillationToken),
                    DynamicImageSize = dynamicSize,
                    PatchBias = patchBias,
                    PositionEmbedding = positionEmbedding,
                    PositionEmbeddingIncludesPrefix = includesPrefix,
                    Norm = normKind,
                    PreNorm = preNorm,
                    FinalNorm = finalNorm,
                    QkNorm = AttentionOption(nameof(AttentionAttribute.QkNorm), AttentionDefaults.QkNorm),
                    SeparateQkv = AttentionOption(nameof(AttentionAttribute.SeparateProjections), AttentionDefaults.SeparateProjections),
                    SeparateQvBias = AttentionOption(nameof(AttentionAttribute.SeparateQvBias), AttentionDefaults.SeparateQvBias),
                    AttentionInnerNorm = AttentionOption(nameof(AttentionAttribute.InnerNorm), AttentionDefaults.InnerNorm),
                    Rotary = AttentionOption(nameof(AttentionAttribute.Rotary), AttentionDefaults.Rotary),
                    RotaryReferenceGrid = rotaryReferenceGrid,
                    MlpActivation = activation,
                    MlpGate = gate,
                    MlpInnerNorm = mlpInnerNorm,
                };
            }

            private static Expectation ReadExpectation(AttributeData expectation)
            {
                int stage = expectation.ConstructorArguments[0].Value is int s ? s : -1;
                // [ExpectShape(stage, null)] passes a null array, whose Values are default: read it as no dims.
                var dims = expectation.ConstructorArguments.Length > 1 && expectation.ConstructorArguments[1].Kind == TypedConstantKind.Array
                           && !expectation.ConstructorArguments[1].IsNull
                    ? expectation.ConstructorArguments[1].Values.Select(v => v.Value is int i ? (long)i : 0L)
                    : Enumerable.Empty<long>();
                return new Expectation(stage, dims.ToEquatableArray());
            }

            private void RequireAttributes()
            {
                var missing = new (string Attribute, string Example)[]
                {
                    (AttributeNames.Image, "[Image(224)]"), (AttributeNames.Patch, "[Patch(16)]"), (AttributeNames.Embed, "[Embed(768)]"),
                    (AttributeNames.Depth, "[Depth(12)]"), (AttributeNames.Heads, "[Heads(12)]"),
                };
                foreach (var (attribute, example) in missing)
                    if (!sizes.ContainsKey(attribute))
                        Add(DiagnosticDescriptors.MissingAttribute, Subject.VisionTransformer, 0, Name, AttributeNames.ShortName(attribute), example);
            }

            private static void ReadPair(AttributeData attribute, out int height, out int width)
            {
                height = Int(attribute.ConstructorArguments[0]);
                width = attribute.ConstructorArguments.Length > 1 ? Int(attribute.ConstructorArguments[1]) : height;
            }

            private int Single(string attributeName) => sizes.TryGetValue(attributeName, out var attribute) ? Int(attribute.ConstructorArguments[0]) : 0;

            private static int Int(TypedConstant constant) => constant.Value is int value ? value : 0;

            private static int Named(AttributeData attribute, string name, int fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is int value) return value;
                return fallback;
            }

            private static bool Named(AttributeData attribute, string name, bool fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is bool value) return value;
                return fallback;
            }

            private static double Named(AttributeData attribute, string name, double fallback)
            {
                foreach (var argument in attribute.NamedArguments)
                    if (argument.Key == name && argument.Value.Value is double value) return value;
                return fallback;
            }

            /// <param name="name">How the message names the option, where its argument's name is not the subject's.</param>
            private void CheckEnum(Subject option, int value, int min, int max, string allowed, string? name = null)
            {
                if (value < min || value > max)
                    Add(DiagnosticDescriptors.InvalidOption, option, 0, name ?? option.ToString(), allowed, value.ToString(CultureInfo.InvariantCulture));
            }

            private void CheckRate(Subject option, double value)
            {
                if (!(value >= 0 && value < 1))
                    Add(DiagnosticDescriptors.InvalidOption, option, 0, option.ToString(), "in [0, 1)", Format(value));
            }

            private void Add(DiagnosticDescriptor descriptor, Subject subject, int index, params string[] arguments) =>
                problems.Add(new DeclarationProblem(descriptor.Id, subject, index, arguments.ToEquatableArray()));

            private static string DescribeArguments(AttributeData attribute)
            {
                // The option attributes are told apart by their named arguments, which the constructor's leave out.
                if (Array.IndexOf(AttributeNames.Options, OurAttributeName(attribute.AttributeClass)) >= 0)
                    return attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list }
                        ? "(" + string.Join(", ", list.Arguments.Select(a => a.ToString())) + ")" : "()";
                return ConstructorArguments(attribute);
            }

            private static string ConstructorArguments(AttributeData attribute) =>
                string.Join(", ", attribute.ConstructorArguments.Select(a => a.Kind == TypedConstantKind.Array ? "[...]" : Convert.ToString(a.Value, CultureInfo.InvariantCulture)))
                is var text && text.Length > 0 ? "(" + text + ")" : "()";

            private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}
