namespace ShapedVit.Generators
{
    /// <summary>A type that contains the model, outermost first, as it must be re-declared around the generated part.</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>
    /// Everything the emitter needs about one declared Vision Transformer: primitives and strings only, so the incremental
    /// pipeline can compare models by value and never holds a symbol, a syntax node, a location or a compilation.
    /// </summary>
    internal sealed record ModelSpec(
        string? Namespace,
        string TypeName,
        EquatableArray<ContainingType> ContainingTypes,
        int ImageHeight,
        int ImageWidth,
        int Channels,
        int PatchHeight,
        int PatchWidth,
        int EmbedDim,
        int Depth,
        int Heads,
        int MlpDim,
        int NumClasses,
        Pooling Pooling,
        bool ClassToken,
        int RegisterTokens,
        bool QkvBias,
        double LayerScaleInit,
        int RepresentationSize,
        double Dropout,
        double AttentionDropout,
        double DropPath,
        double PatchDropout,
        double LayerNormEps)
    {
        /// <summary>The file name: {Namespace}.{Containing}.{Type}.g.cs.</summary>
        public string HintName
        {
            get
            {
                var parts = new System.Collections.Generic.List<string>();
                if (Namespace is not null) parts.Add(Namespace);
                foreach (var type in ContainingTypes) parts.Add(type.Name);
                parts.Add(TypeName);
                return string.Join(".", parts).Replace("@", "") + ".g.cs"; // '@' (keyword names) is not allowed in a hint name
            }
        }

        public VitSpec ToVitSpec() => new VitSpec
        {
            ImageHeight = ImageHeight, ImageWidth = ImageWidth, Channels = Channels,
            PatchHeight = PatchHeight, PatchWidth = PatchWidth, EmbedDim = EmbedDim, Depth = Depth, Heads = Heads,
            MlpDim = MlpDim, NumClasses = NumClasses, Pooling = Pooling, ClassToken = ClassToken,
            RegisterTokens = RegisterTokens, QkvBias = QkvBias, LayerScale = LayerScaleInit > 0,
            RepresentationSize = RepresentationSize,
        };
    }
}
