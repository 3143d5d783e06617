namespace ShapedVit.Generators
{
    /// <summary>
    /// What a diagnostic is about, and so where it is reported. The shape subjects carry the <see cref="ShapeSubject"/>
    /// names (the <see cref="VitSpec"/> property names); the option subjects the [VisionTransformer] property names.
    /// </summary>
    internal enum Subject
    {
        /// <summary>The class identifier.</summary>
        Class,
        ImageHeight, ImageWidth, Channels, PatchHeight, PatchWidth, EmbedDim, Depth, Heads, MlpDim, NumClasses,
        RegisterTokens, RepresentationSize, ClassToken, Pooling,
        Preset, QkvBias, LayerScaleInit, Dropout, AttentionDropout, DropPath, PatchDropout, LayerNormEps, DistillationToken,
        // The options of the other attributes, named as their VitSpec properties; each is reported on its argument
        // ([Image] DynamicSize, [Patch] Bias, [PositionEmbedding], [Norm], [Attention], [Mlp]).
        DynamicImageSize, PatchBias, PositionEmbedding, PositionEmbeddingIncludesPrefix, Norm, PreNorm, FinalNorm,
        QkNorm, SeparateQkv, SeparateQvBias, AttentionInnerNorm, Rotary, RotaryReferenceGrid, MlpActivation, MlpGate, MlpInnerNorm,
        /// <summary>The whole [VisionTransformer] application.</summary>
        VisionTransformer,
        /// <summary>One attribute application (by index).</summary>
        Attribute,
        /// <summary>The stage argument of one [ExpectShape] (by index).</summary>
        ExpectationStage,
        /// <summary>The dimension arguments of one [ExpectShape] (by index).</summary>
        ExpectationDims,
        /// <summary>A user member that clashes with a generated one (by index).</summary>
        Member,
        /// <summary>The first type of the class's base list.</summary>
        BaseType,
        /// <summary>The class's primary constructor parameter list.</summary>
        PrimaryConstructor,
        /// <summary>The class identifier, with a containing type's identifier (by index) as the additional location.</summary>
        ContainingType,
    }

    internal static class SubjectExtensions
    {
        public static Subject ToSubject(this ShapeSubject subject)
        {
            switch (subject)
            {
                case ShapeSubject.ImageHeight: return Subject.ImageHeight;
                case ShapeSubject.ImageWidth: return Subject.ImageWidth;
                case ShapeSubject.Channels: return Subject.Channels;
                case ShapeSubject.PatchHeight: return Subject.PatchHeight;
                case ShapeSubject.PatchWidth: return Subject.PatchWidth;
                case ShapeSubject.EmbedDim: return Subject.EmbedDim;
                case ShapeSubject.Depth: return Subject.Depth;
                case ShapeSubject.Heads: return Subject.Heads;
                case ShapeSubject.MlpDim: return Subject.MlpDim;
                case ShapeSubject.NumClasses: return Subject.NumClasses;
                case ShapeSubject.RegisterTokens: return Subject.RegisterTokens;
                case ShapeSubject.RepresentationSize: return Subject.RepresentationSize;
                case ShapeSubject.ClassToken: return Subject.ClassToken;
                case ShapeSubject.Pooling: return Subject.Pooling;
                case ShapeSubject.DistillationToken: return Subject.DistillationToken;
                case ShapeSubject.MlpGate: return Subject.MlpGate;
                case ShapeSubject.Rotary: return Subject.Rotary;
                case ShapeSubject.RotaryReferenceGrid: return Subject.RotaryReferenceGrid;
                case ShapeSubject.PositionEmbeddingIncludesPrefix: return Subject.PositionEmbeddingIncludesPrefix;
                case ShapeSubject.SeparateQvBias: return Subject.SeparateQvBias;
                default: return Subject.Class;
            }
        }
    }
}
