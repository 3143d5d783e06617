using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ShapedVit.Generators
{
    /// <summary>
    /// Where each part of a declaration is written, for the analyzer's diagnostics: the parser records the attribute
    /// applications and members it read, and a <see cref="Subject"/> maps to the argument to underline. Never part of a
    /// pipeline value (it holds symbols and syntax).
    /// </summary>
    internal sealed class DeclarationLocations
    {
        private readonly INamedTypeSymbol type;
        private readonly CancellationToken cancellationToken;
        private readonly Dictionary<string, AttributeData> sizes = new Dictionary<string, AttributeData>();
        private readonly List<AttributeData> attributes = new List<AttributeData>();
        private readonly List<AttributeData> expectations = new List<AttributeData>();
        private readonly List<Location> members = new List<Location>();
        private readonly List<INamedTypeSymbol> containingTypes = new List<INamedTypeSymbol>();

        public DeclarationLocations(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            this.type = type;
            this.cancellationToken = cancellationToken;
        }

        public AttributeData? VisionTransformer { get; set; }
        public Location? BaseType { get; set; }
        public Location? PrimaryConstructor { get; set; }
        public int MemberCount => members.Count;
        public int ContainingTypeCount => containingTypes.Count;

        /// <summary>Records an attribute a problem is about; returns its index.</summary>
        public int AddAttribute(AttributeData attribute)
        {
            attributes.Add(attribute);
            return attributes.Count - 1;
        }

        public void AddSize(string metadataName, AttributeData attribute) => sizes[metadataName] = attribute;
        public void AddExpectation(AttributeData attribute) => expectations.Add(attribute);
        public void AddMember(Location location) => members.Add(location);
        public void AddContainingType(INamedTypeSymbol outer) => containingTypes.Add(outer);

        /// <summary>Whether the declaration writes this size or option attribute (else the size comes from a preset or a default).</summary>
        public bool Declares(string metadataName) => sizes.ContainsKey(metadataName);

        /// <summary>The [Patch] application written with one argument (a square patch), if any.</summary>
        public bool SquarePatch => sizes.TryGetValue(AttributeNames.Patch, out var patch) && patch.ConstructorArguments.Length == 1;

        public Location Of(Subject subject, int index = 0)
        {
            switch (subject)
            {
                case Subject.Class:
                case Subject.ContainingType: return ClassLocation();
                case Subject.ImageHeight: return SizeLocation(AttributeNames.Image, 0);
                case Subject.ImageWidth: return SizeLocation(AttributeNames.Image, 1);
                case Subject.Channels:
                    return sizes.TryGetValue(AttributeNames.Image, out var image) ? NamedArgumentLocation(image, nameof(ImageAttribute.Channels)) : PresetLocation();
                case Subject.PatchHeight: return SizeLocation(AttributeNames.Patch, 0);
                case Subject.PatchWidth: return SizeLocation(AttributeNames.Patch, 1);
                case Subject.EmbedDim: return SizeLocation(AttributeNames.Embed, 0);
                case Subject.Depth: return SizeLocation(AttributeNames.Depth, 0);
                case Subject.Heads:
                    // Heads from a preset: the [Embed] that does not fit them is where the declaration says something.
                    return sizes.TryGetValue(AttributeNames.Heads, out var heads) ? PositionalLocation(heads, 0)
                         : sizes.TryGetValue(AttributeNames.Embed, out var embed) ? PositionalLocation(embed, 0)
                         : PresetLocation();
                case Subject.MlpDim: return SizeLocation(AttributeNames.Mlp, 0);
                case Subject.DynamicImageSize: return OptionLocation(AttributeNames.Image, nameof(ImageAttribute.DynamicSize));
                case Subject.PatchBias: return OptionLocation(AttributeNames.Patch, nameof(PatchAttribute.Bias));
                case Subject.PositionEmbedding: return OptionLocation(AttributeNames.PositionEmbedding, null);
                case Subject.PositionEmbeddingIncludesPrefix: return OptionLocation(AttributeNames.PositionEmbedding, nameof(PositionEmbeddingAttribute.IncludePrefixTokens));
                case Subject.Norm: return OptionLocation(AttributeNames.Norm, null);
                case Subject.PreNorm: return OptionLocation(AttributeNames.Norm, nameof(NormAttribute.PreNorm));
                case Subject.FinalNorm: return OptionLocation(AttributeNames.Norm, nameof(NormAttribute.FinalNorm));
                case Subject.QkNorm: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.QkNorm));
                case Subject.SeparateQkv: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.SeparateProjections));
                case Subject.SeparateQvBias: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.SeparateQvBias));
                case Subject.AttentionInnerNorm: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.InnerNorm));
                case Subject.Rotary: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.Rotary));
                case Subject.RotaryReferenceGrid: return OptionLocation(AttributeNames.Attention, nameof(AttentionAttribute.RotaryReferenceGrid));
                case Subject.MlpActivation: return OptionLocation(AttributeNames.Mlp, nameof(MlpAttribute.Activation));
                case Subject.MlpGate: return OptionLocation(AttributeNames.Mlp, nameof(MlpAttribute.Gate));
                case Subject.MlpInnerNorm: return OptionLocation(AttributeNames.Mlp, nameof(MlpAttribute.InnerNorm));
                case Subject.VisionTransformer: return VisionTransformer is null ? ClassLocation() : AttributeLocation(VisionTransformer);
                case Subject.Attribute: return index < attributes.Count ? AttributeLocation(attributes[index]) : ClassLocation();
                case Subject.ExpectationStage: return index < expectations.Count ? PositionalLocation(expectations[index], 0) : ClassLocation();
                case Subject.ExpectationDims: return index < expectations.Count ? ExpectedDimsLocation(expectations[index]) : ClassLocation();
                case Subject.Member: return index < members.Count ? members[index] : ClassLocation();
                case Subject.BaseType: return BaseType ?? ClassLocation();
                case Subject.PrimaryConstructor: return PrimaryConstructor ?? ClassLocation();
                default:
                    // The [VisionTransformer] options: NumClasses, RegisterTokens, Pooling, Dropout...
                    return VisionTransformer is null ? ClassLocation() : NamedArgumentLocation(VisionTransformer, subject.ToString());
            }
        }

        /// <summary>The locations a code fix edits besides the reported one (the containing type that must become partial).</summary>
        public IEnumerable<Location>? Additional(Subject subject, int index)
        {
            if (subject != Subject.ContainingType || index >= containingTypes.Count) return null;
            return new[] { containingTypes[index].Locations.FirstOrDefault(l => l.IsInSource) ?? ClassLocation() };
        }

        public Location ClassLocation()
        {
            var syntax = VisionTransformer?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
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

        private Location PresetLocation() =>
            VisionTransformer is null ? ClassLocation() : NamedArgumentLocation(VisionTransformer, nameof(VisionTransformerAttribute.Preset));

        /// <summary>
        /// An option of an attribute other than [VisionTransformer]: its named argument (<paramref name="named"/>) or, for null,
        /// the attribute's first positional argument; the whole attribute where that argument is not written (the default
        /// applies), and the class where the attribute is not applied.
        /// </summary>
        private Location OptionLocation(string attributeName, string? named)
        {
            if (!sizes.TryGetValue(attributeName, out var attribute)) return ClassLocation();
            if (named is not null) return NamedArgumentLocation(attribute, named);
            return attribute.ConstructorArguments.Length > 0 ? PositionalLocation(attribute, 0) : AttributeLocation(attribute);
        }

        private Location SizeLocation(string attributeName, int index)
        {
            if (!sizes.TryGetValue(attributeName, out var attribute)) return PresetLocation();
            return PositionalLocation(attribute, Math.Min(index, attribute.ConstructorArguments.Length - 1));
        }
    }
}
