namespace ShapedVit.Generators
{
    /// <summary>
    /// Metadata names of the ShapedVit attributes, from the attribute declarations linked into this assembly (so a rename
    /// there is a compile error here, in the analyzer and in the code fixes, never a silent mismatch).
    /// </summary>
    internal static class AttributeNames
    {
        public const string Namespace = "ShapedVit";
        public const string VisionTransformer = Namespace + "." + nameof(VisionTransformerAttribute);
        public const string Image = Namespace + "." + nameof(ImageAttribute);
        public const string Patch = Namespace + "." + nameof(PatchAttribute);
        public const string Embed = Namespace + "." + nameof(EmbedAttribute);
        public const string Depth = Namespace + "." + nameof(DepthAttribute);
        public const string Heads = Namespace + "." + nameof(HeadsAttribute);
        public const string Mlp = Namespace + "." + nameof(MlpAttribute);
        public const string PositionEmbedding = Namespace + "." + nameof(PositionEmbeddingAttribute);
        public const string Norm = Namespace + "." + nameof(NormAttribute);
        public const string Attention = Namespace + "." + nameof(AttentionAttribute);
        public const string ExpectShape = Namespace + "." + nameof(ExpectShapeAttribute);

        /// <summary>The attributes that each give one size of the network, in the order their absence is reported.</summary>
        public static readonly string[] Sizes = { Image, Patch, Embed, Depth, Heads, Mlp };

        /// <summary>
        /// The attributes that state options of one concern, each applied at most once and none required; their constructors
        /// may take no argument (<c>[Norm(PreNorm = true)]</c>, <c>[Attention(QkNorm = true)]</c>).
        /// </summary>
        public static readonly string[] Options = { PositionEmbedding, Norm, Attention };

        /// <summary>"Patch" for "ShapedVit.PatchAttribute": the name as written in source.</summary>
        public static string ShortName(string metadataName)
        {
            string name = metadataName.Substring(metadataName.LastIndexOf('.') + 1);
            return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }
    }

    /// <summary>Keys of the diagnostic properties the analyzer sets and the code fixes read.</summary>
    internal static class DiagnosticProperties
    {
        /// <summary>SVIT0001: the [Patch] sizes to offer, best first: "8,8;4,4" (height,width pairs; the first satisfies every [ExpectShape] when one does).</summary>
        public const string PatchCandidates = nameof(PatchCandidates);
        /// <summary>SVIT0002: the head counts to offer, best first: "8,12,6".</summary>
        public const string HeadCandidates = nameof(HeadCandidates);
        /// <summary>SVIT0011: the proven shape, "d0,d1,...".</summary>
        public const string ProvenShape = nameof(ProvenShape);
        /// <summary>
        /// SVIT0022, SVIT0023, SVIT0026: the named argument to remove from the attribute the diagnostic is reported in
        /// ("ClassToken", "DistillationToken", "IncludePrefixTokens"...), chosen so that the declaration is then valid.
        /// </summary>
        public const string RemoveArgument = nameof(RemoveArgument);
        /// <summary>SVIT0024: the [Mlp] hidden widths to offer, best first: "96,94".</summary>
        public const string MlpCandidates = nameof(MlpCandidates);
    }
}
