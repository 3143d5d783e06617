// The shape arithmetic of a Vision Transformer: one copy, compiled into the runtime library (public) and linked
// into the source generator (internal, in its own namespace), so the compile-time proof and the run-time checks can never
// disagree. netstandard2.0-compatible C#: no spans, no APIs newer than the generator may use.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

#if SHAPEDVIT_GENERATOR
namespace ShapedVit.Generators
#else
namespace ShapedVit
#endif
{
    /// <summary>
    /// A declared Vision Transformer: every number and option the attributes give, presets applied. Immutable and
    /// value-equal; the source generator carries it through its pipeline and the generated type exposes it as
    /// <c>Spec</c>. Property names are the attribute property names; defaults are the attributes' defaults.
    /// </summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed record VitSpec
    {
        /// <summary>Input image height in pixels.</summary>
        public int ImageHeight { get; init; }
        /// <summary>Input image width in pixels.</summary>
        public int ImageWidth { get; init; }
        /// <summary>Input colour channels (3 for RGB).</summary>
        public int Channels { get; init; } = ImageAttribute.DefaultChannels;
        /// <summary>Patch height in pixels.</summary>
        public int PatchHeight { get; init; }
        /// <summary>Patch width in pixels.</summary>
        public int PatchWidth { get; init; }
        /// <summary>Token width D (timm's <c>embed_dim</c>).</summary>
        public int EmbedDim { get; init; }
        /// <summary>Number of encoder blocks.</summary>
        public int Depth { get; init; }
        /// <summary>Attention heads per block.</summary>
        public int Heads { get; init; }
        /// <summary>MLP hidden width; 0 means 4 x EmbedDim.</summary>
        public int MlpDim { get; init; }
        /// <summary>0 makes a headless feature extractor.</summary>
        public int NumClasses { get; init; } = VisionTransformerAttribute.DefaultNumClasses;
        /// <summary>How the token sequence is pooled into one feature vector per image.</summary>
        public Pooling Pooling { get; init; } = Pooling.ClassToken;
        /// <summary>Whether a learned class token is prepended to the patch tokens.</summary>
        public bool ClassToken { get; init; } = VisionTransformerAttribute.DefaultClassToken;
        /// <summary>Learned register tokens prepended after the class token (timm's <c>reg_tokens</c>); 0 = none.</summary>
        public int RegisterTokens { get; init; }
        /// <summary>Whether DeiT's distillation token (and its second head) follows the class token.</summary>
        public bool DistillationToken { get; init; }
        /// <summary>Whether the image size is a run-time fact: the position embedding is resampled to the input's grid (timm's <c>dynamic_img_size</c>).</summary>
        public bool DynamicImageSize { get; init; }
        /// <summary>Whether the patch projection has a bias.</summary>
        public bool PatchBias { get; init; } = PatchAttribute.DefaultBias;
        /// <summary>Learned or no position embedding.</summary>
        public PositionEmbeddingKind PositionEmbedding { get; init; }
        /// <summary>Whether the learned position embedding has slots for the prefix tokens (false: timm's <c>no_embed_class</c>).</summary>
        public bool PositionEmbeddingIncludesPrefix { get; init; } = PositionEmbeddingAttribute.DefaultIncludePrefixTokens;
        /// <summary>LayerNorm or RMSNorm, for every norm.</summary>
        public NormKind Norm { get; init; }
        /// <summary>Whether a norm follows the position embedding (timm's <c>norm_pre</c>).</summary>
        public bool PreNorm { get; init; }
        /// <summary>Where the final norm sits, as declared (<see cref="FinalNorm.Auto"/> unresolved).</summary>
        public FinalNorm FinalNorm { get; init; }
        /// <summary>Whether the fused qkv projection has a bias (timm's <c>qkv_bias</c>); with separate projections, q's and v's.</summary>
        public bool QkvBias { get; init; } = VisionTransformerAttribute.DefaultQkvBias;
        /// <summary>Whether queries and keys are normed per head (timm's <c>qk_norm</c>).</summary>
        public bool QkNorm { get; init; }
        /// <summary>Whether q, k and v have separate projections (EVA-02).</summary>
        public bool SeparateQkv { get; init; }
        /// <summary>Whether the fused qkv projection's bias is stored as <c>q_bias</c> and <c>v_bias</c>, keys unbiased (EVA-02 Tiny/Small).</summary>
        public bool SeparateQvBias { get; init; }
        /// <summary>Whether the attention output is normed before its projection (timm's <c>scale_attn_inner</c>).</summary>
        public bool AttentionInnerNorm { get; init; }
        /// <summary>Whether EVA-02's rotary position embedding is applied to the patch tokens' queries and keys.</summary>
        public bool Rotary { get; init; }
        /// <summary>The square patch grid the rotary frequencies refer to; 0 = the model's own grid.</summary>
        public int RotaryReferenceGrid { get; init; }
        /// <summary>The MLP activation.</summary>
        public MlpActivation MlpActivation { get; init; }
        /// <summary>Whether and how the MLP is gated.</summary>
        public MlpGate MlpGate { get; init; }
        /// <summary>Whether the MLP norms its hidden activations before fc2 (timm's <c>scale_mlp</c>).</summary>
        public bool MlpInnerNorm { get; init; }
        /// <summary>Initial LayerScale value; 0 = off.</summary>
        public double LayerScaleInit { get; init; }
        /// <summary>0 = off; otherwise the paper's pre-logits Linear + Tanh of this width.</summary>
        public int RepresentationSize { get; init; }
        /// <summary>Dropout probability after the embeddings, in the MLPs and after the attention projection (timm's <c>drop_rate</c>/<c>proj_drop_rate</c>).</summary>
        public double Dropout { get; init; }
        /// <summary>Dropout probability on the attention weights (timm's <c>attn_drop_rate</c>).</summary>
        public double AttentionDropout { get; init; }
        /// <summary>Stochastic-depth rate of the last block, rising linearly from 0 over the blocks (timm's <c>drop_path_rate</c>).</summary>
        public double DropPath { get; init; }
        /// <summary>Fraction of patch tokens dropped in training forwards (timm's <c>patch_drop_rate</c>); 0 = off.</summary>
        public double PatchDropout { get; init; }
        /// <summary>The epsilon of every LayerNorm.</summary>
        public double LayerNormEps { get; init; } = VisionTransformerAttribute.DefaultLayerNormEps;
        /// <summary>
        /// The class count is a constructor argument. A generated type's static <c>Spec</c> then has <see cref="NumClasses"/>
        /// 0 (its geometry counts the backbone and shows the logits as [N]); a model instance's spec has its real count.
        /// </summary>
        public bool RuntimeNumClasses { get; init; }

        /// <summary>Whether the class count is still symbolic: declared as a run-time fact and not yet given.</summary>
        public bool SymbolicNumClasses => RuntimeNumClasses && NumClasses == 0;

        /// <summary>Whether the blocks have LayerScale (<see cref="LayerScaleInit"/> &gt; 0).</summary>
        public bool LayerScale => LayerScaleInit > 0;

        /// <summary>The MLP width with the default applied.</summary>
        public long EffectiveMlpDim => MlpDim == 0 ? 4L * EmbedDim : MlpDim;

        /// <summary>
        /// Where the final norm sits, <see cref="FinalNorm.Auto"/> resolved as timm resolves it: after pooling
        /// (<c>fc_norm</c>) for <see cref="Pooling.Mean"/>, on the tokens (<c>norm</c>) otherwise.
        /// </summary>
        public FinalNorm EffectiveFinalNorm =>
            FinalNorm != FinalNorm.Auto ? FinalNorm : Pooling == Pooling.Mean ? FinalNorm.AfterPooling : FinalNorm.BeforePooling;

        /// <summary>The sizes of one of the paper's presets (image 224, patch 16), or null for <see cref="VitPreset.None"/> and unknown values.</summary>
        public static VitSpec? ForPreset(VitPreset preset)
        {
            switch (preset)
            {
                case VitPreset.Tiny: return Preset(192, 12, 3, 768);
                case VitPreset.Small: return Preset(384, 12, 6, 1536);
                case VitPreset.Base: return Preset(768, 12, 12, 3072);
                case VitPreset.Large: return Preset(1024, 24, 16, 4096);
                case VitPreset.Huge: return Preset(1280, 32, 16, 5120);
                default: return null;
            }
        }

        private static VitSpec Preset(int embed, int depth, int heads, int mlp) => new VitSpec
        {
            ImageHeight = 224, ImageWidth = 224, PatchHeight = 16, PatchWidth = 16,
            EmbedDim = embed, Depth = depth, Heads = heads, MlpDim = mlp,
        };
    }

    /// <summary>What is wrong with a spec, with the numbers needed to explain and fix it.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum ShapeProblemKind
    {
        /// <summary>A size is zero or negative (negative for sizes where 0 is allowed); <see cref="ShapeProblem.Value"/> is the size.</summary>
        NonPositiveSize,
        /// <summary>The patch does not divide the image along <see cref="ShapeProblem.Axis"/>; Value is the image size, Other the patch size.</summary>
        ImageNotDivisibleByPatch,
        /// <summary>The heads do not divide the embed width; Value is the embed width, Other the head count.</summary>
        EmbedNotDivisibleByHeads,
        /// <summary><see cref="Pooling.ClassToken"/> pooling is asked for but the model has no class token.</summary>
        ClassTokenPoolingWithoutClassToken,
        /// <summary>A warning: the per-head width (Value) is not a multiple of 8, which fused attention kernels run slower on; Other is the head count.</summary>
        HeadDimNotMultipleOf8,
        /// <summary>A size (or the whole model's counts) exceeds <see cref="VitGeometry.MaxDimension"/>; Value is the size, Other the limit.</summary>
        TooLarge,
        /// <summary>DeiT's distillation token is asked for but the model has no class token (timm's <c>VisionTransformerDistilled</c> has both).</summary>
        DistillationTokenWithoutClassToken,
        /// <summary>DeiT's distillation token is asked for with a pooling other than the class token's (timm asserts <c>global_pool='token'</c>); Value is the <see cref="Pooling"/>.</summary>
        DistillationTokenWithoutClassTokenPooling,
        /// <summary><see cref="MlpGate.Packed"/> chunks the hidden width in two halves, but it (Value) is odd.</summary>
        PackedGateOddWidth,
        /// <summary>The rotary embedding splits each head (Value wide) into four bands of equal width, but the head width is not a multiple of 4; Other is the head count.</summary>
        RotaryHeadDimNotDivisibleBy4,
        /// <summary>An option is set that the rest of the declaration leaves without effect (IncludePrefixTokens = false without a position embedding, a rotary reference grid without rotary embedding); Value is the option's value.</summary>
        OptionWithoutEffect,
    }

    /// <summary>The part of a declaration a problem is about; the names are the <see cref="VitSpec"/> property names.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum ShapeSubject
    {
        /// <summary><see cref="VitSpec.ImageHeight"/>.</summary>
        ImageHeight,
        /// <summary><see cref="VitSpec.ImageWidth"/>.</summary>
        ImageWidth,
        /// <summary><see cref="VitSpec.Channels"/>.</summary>
        Channels,
        /// <summary><see cref="VitSpec.PatchHeight"/>.</summary>
        PatchHeight,
        /// <summary><see cref="VitSpec.PatchWidth"/>.</summary>
        PatchWidth,
        /// <summary><see cref="VitSpec.EmbedDim"/>.</summary>
        EmbedDim,
        /// <summary><see cref="VitSpec.Depth"/>.</summary>
        Depth,
        /// <summary><see cref="VitSpec.Heads"/>.</summary>
        Heads,
        /// <summary><see cref="VitSpec.MlpDim"/>.</summary>
        MlpDim,
        /// <summary><see cref="VitSpec.NumClasses"/>.</summary>
        NumClasses,
        /// <summary><see cref="VitSpec.RegisterTokens"/>.</summary>
        RegisterTokens,
        /// <summary><see cref="VitSpec.RepresentationSize"/>.</summary>
        RepresentationSize,
        /// <summary><see cref="VitSpec.ClassToken"/>.</summary>
        ClassToken,
        /// <summary><see cref="VitSpec.Pooling"/>.</summary>
        Pooling,
        /// <summary>The network as a whole (its counts overflow).</summary>
        Model,
        /// <summary><see cref="VitSpec.DistillationToken"/>.</summary>
        DistillationToken,
        /// <summary><see cref="VitSpec.MlpGate"/>.</summary>
        MlpGate,
        /// <summary><see cref="VitSpec.Rotary"/>.</summary>
        Rotary,
        /// <summary><see cref="VitSpec.RotaryReferenceGrid"/>.</summary>
        RotaryReferenceGrid,
        /// <summary><see cref="VitSpec.PositionEmbeddingIncludesPrefix"/>.</summary>
        PositionEmbeddingIncludesPrefix,
        /// <summary><see cref="VitSpec.SeparateQvBias"/>.</summary>
        SeparateQvBias,
    }

    /// <summary>One problem found by <see cref="VitGeometry.Check"/>.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class ShapeProblem
    {
        /// <summary>A problem of <paramref name="kind"/> with <paramref name="subject"/>.</summary>
        /// <param name="kind">What is wrong.</param>
        /// <param name="subject">The size or option at fault.</param>
        /// <param name="value">The offending value (see <see cref="ShapeProblemKind"/> for its meaning per kind).</param>
        /// <param name="other">The second number involved, such as the divisor or the limit; 0 if none.</param>
        /// <param name="axis">"height" or "width" for per-axis problems, otherwise empty.</param>
        public ShapeProblem(ShapeProblemKind kind, ShapeSubject subject, long value, long other = 0, string axis = "")
        {
            Kind = kind; Subject = subject; Value = value; Other = other; Axis = axis;
        }

        /// <summary>What is wrong.</summary>
        public ShapeProblemKind Kind { get; }
        /// <summary>The size or option at fault.</summary>
        public ShapeSubject Subject { get; }
        /// <summary>The offending value; its meaning depends on <see cref="Kind"/>.</summary>
        public long Value { get; }
        /// <summary>The second number involved (divisor, head count or limit), or 0.</summary>
        public long Other { get; }
        /// <summary>"height" or "width" for per-axis problems.</summary>
        public string Axis { get; }
        /// <summary>Whether the problem is only a warning (<see cref="ShapeProblemKind.HeadDimNotMultipleOf8"/>); all others are errors.</summary>
        public bool IsWarning => Kind == ShapeProblemKind.HeadDimNotMultipleOf8;

        /// <summary>Whether 0 is a valid value of the subject (an MLP width, a class count, a token count or a width that turns a layer off).</summary>
        public static bool ZeroAllowed(ShapeSubject subject) =>
            subject == ShapeSubject.MlpDim || subject == ShapeSubject.NumClasses || subject == ShapeSubject.RegisterTokens || subject == ShapeSubject.RepresentationSize
            || subject == ShapeSubject.RotaryReferenceGrid;

        /// <summary>How messages name a subject: "Image height", "Embed dimension", "Head count"...</summary>
        public static string DisplayName(ShapeSubject subject)
        {
            switch (subject)
            {
                case ShapeSubject.ImageHeight: return "Image height";
                case ShapeSubject.ImageWidth: return "Image width";
                case ShapeSubject.Channels: return "Image channels";
                case ShapeSubject.PatchHeight: return "Patch height";
                case ShapeSubject.PatchWidth: return "Patch width";
                case ShapeSubject.EmbedDim: return "Embed dimension";
                case ShapeSubject.Heads: return "Head count";
                case ShapeSubject.MlpDim: return "MLP hidden dimension";
                case ShapeSubject.RotaryReferenceGrid: return "RotaryReferenceGrid";
                default: return subject.ToString();
            }
        }
    }

    /// <summary>
    /// One row of the proven shape trace: the generated class's comment table, the SVIT0013 one-line trace and the
    /// SVIT0011 explanations are all rendered from these rows.
    /// </summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class TraceStep
    {
        /// <summary>A trace row; <paramref name="shapeText"/> defaults to <see cref="VitGeometry.FormatShape"/> of <paramref name="shape"/>.</summary>
        /// <param name="stage">The [ExpectShape] stage this row is, if any.</param>
        /// <param name="label">The row's name ("image", "patch tokens"...).</param>
        /// <param name="shape">The shape per image, batch left out.</param>
        /// <param name="note">How the shape comes about, for the generated comments.</param>
        /// <param name="explanation">The same fact as a diagnostic explains it.</param>
        /// <param name="trainingOnly">Whether only training forwards have this row.</param>
        /// <param name="shapeText">The shape as written, when it differs from the numbers (e.g. "[N]").</param>
        public TraceStep(Stage? stage, string label, long[] shape, string note, string explanation, bool trainingOnly = false, string? shapeText = null)
        {
            Stage = stage; Label = label; Shape = shape; Note = note; Explanation = explanation; TrainingOnly = trainingOnly;
            ShapeText = shapeText ?? VitGeometry.FormatShape(shape);
        }

        /// <summary>The shape as the trace writes it: "[197,768]", or "[N]" for a class count given at run time.</summary>
        public string ShapeText { get; }

        /// <summary>The [ExpectShape] stage this row is, if any.</summary>
        public Stage? Stage { get; }
        /// <summary>"image", "patch tokens", "12 x block"...</summary>
        public string Label { get; }
        /// <summary>Per image, the batch left out.</summary>
        public long[] Shape { get; }
        /// <summary>How the shape comes about, in the generated comments ("14 x 14 patches of 16x16").</summary>
        public string Note { get; }
        /// <summary>The same fact as a diagnostic explains it ("14 x 14 patches of 16x16, 768 wide").</summary>
        public string Explanation { get; }
        /// <summary>A row only training forwards have (patch dropout); left out of the one-line trace.</summary>
        public bool TrainingOnly { get; }
    }

    /// <summary>The proven shapes and sizes of a valid <see cref="VitSpec"/>.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class VitGeometry
    {
        /// <summary>Sizes above this are refused: their products would not fit the arithmetic of tensor shapes.</summary>
        public const long MaxDimension = 1L << 24;

        private VitGeometry(VitSpec spec)
        {
            Spec = spec;
            // A spec that passed Check determines every size; KnownSizes holds the one copy of their arithmetic.
            var sizes = KnownSizes.Of(spec);
            GridHeight = sizes.GridHeight!.Value;
            GridWidth = sizes.GridWidth!.Value;
            NumPatches = sizes.NumPatches!.Value;
            PrefixTokens = sizes.PrefixTokens!.Value;
            SequenceLength = sizes.SequenceLength!.Value;
            HeadDim = sizes.HeadDim!.Value;
            MlpDim = sizes.MlpDim!.Value;
            FeatureDim = spec.EmbedDim;
            HeadInputDim = spec.RepresentationSize > 0 ? spec.RepresentationSize : spec.EmbedDim;
            TrainingPatchTokens = PatchTokensKept(NumPatches, spec.PatchDropout);
            PositionEmbeddingTokens = spec.PositionEmbedding == PositionEmbeddingKind.None ? 0
                                    : spec.PositionEmbeddingIncludesPrefix ? SequenceLength : NumPatches;
            ParameterCount = checked(CountParameters());
            Macs = checked(CountMacs());
        }

        /// <summary>The spec these shapes are proven for.</summary>
        public VitSpec Spec { get; }
        /// <summary>Patch rows: image height / patch height.</summary>
        public long GridHeight { get; }
        /// <summary>Patch columns: image width / patch width.</summary>
        public long GridWidth { get; }
        /// <summary>Patch tokens per image: GridHeight x GridWidth (196 for 224/16).</summary>
        public long NumPatches { get; }
        /// <summary>Class token (if any), distillation token (if any) plus register tokens: timm's <c>num_prefix_tokens</c>.</summary>
        public long PrefixTokens { get; }
        /// <summary>
        /// Tokens the learned position embedding holds (its <c>pos_embed</c> is [1, this, EmbedDim]): every token, the patches
        /// only (timm's <c>no_embed_class</c>), or 0 without one. With a dynamic image size, those of the declared size.
        /// </summary>
        public long PositionEmbeddingTokens { get; }
        /// <summary>Tokens in the encoder sequence N: patches plus prefix tokens (197 for ViT-B/16).</summary>
        public long SequenceLength { get; }
        /// <summary>Width of one attention head: EmbedDim / Heads.</summary>
        public long HeadDim { get; }
        /// <summary>MLP hidden width, default (4 x EmbedDim) applied.</summary>
        public long MlpDim { get; }
        /// <summary>Width of the features (each token ForwardFeatures returns) and of the pooled vector: the embed width, timm's <c>num_features</c>.</summary>
        public long FeatureDim { get; }
        /// <summary>Width the classifier head reads: RepresentationSize if there is a pre-logits layer, else the embed width.</summary>
        public long HeadInputDim { get; }
        /// <summary>Classifier heads: 2 with DeiT's distillation token (<c>head</c> and <c>head_dist</c>, averaged), else 1.</summary>
        public int ClassifierHeads => Spec.DistillationToken ? 2 : 1;
        /// <summary>Parameters the heads add per class (weights and bias): with a run-time class count N the model has ParameterCount + N x this.</summary>
        public long HeadParametersPerClass => ClassifierHeads * (HeadInputDim + 1);
        /// <summary>Multiply-accumulates the heads add per class and image.</summary>
        public long HeadMacsPerClass => ClassifierHeads * HeadInputDim;
        /// <summary>Parameters of one norm of <paramref name="width"/>: weight and bias for LayerNorm, weight only for RMSNorm.</summary>
        public long NormParameters(long width) => Spec.Norm == NormKind.RmsNorm ? width : 2 * width;
        /// <summary>Patch tokens each image keeps in a training forward (all of them without patch dropout).</summary>
        public long TrainingPatchTokens { get; }
        /// <summary>Exact number of trainable scalars, timm's layout.</summary>
        public long ParameterCount { get; }
        /// <summary>Multiply-accumulates per image: convolution, linears and the two attention matmuls (as torchvision and timm count).</summary>
        public long Macs { get; }

        /// <summary>Checks a spec; returns the errors and warnings (warnings do not stop generation).</summary>
        public static List<ShapeProblem> Check(VitSpec spec)
        {
            var problems = new List<ShapeProblem>();
            void Size(ShapeSubject subject, long value)
            {
                if (value > MaxDimension) problems.Add(new ShapeProblem(ShapeProblemKind.TooLarge, subject, value, MaxDimension));
                else if (!IsValidSize(subject, value)) problems.Add(new ShapeProblem(ShapeProblemKind.NonPositiveSize, subject, value));
            }

            Size(ShapeSubject.ImageHeight, spec.ImageHeight);
            Size(ShapeSubject.ImageWidth, spec.ImageWidth);
            Size(ShapeSubject.Channels, spec.Channels);
            Size(ShapeSubject.PatchHeight, spec.PatchHeight);
            Size(ShapeSubject.PatchWidth, spec.PatchWidth);
            Size(ShapeSubject.EmbedDim, spec.EmbedDim);
            Size(ShapeSubject.Depth, spec.Depth);
            Size(ShapeSubject.Heads, spec.Heads);
            Size(ShapeSubject.MlpDim, spec.MlpDim);
            Size(ShapeSubject.NumClasses, spec.NumClasses);
            Size(ShapeSubject.RegisterTokens, spec.RegisterTokens);
            Size(ShapeSubject.RepresentationSize, spec.RepresentationSize);
            Size(ShapeSubject.RotaryReferenceGrid, spec.RotaryReferenceGrid);
            if (problems.Count > 0) return problems;

            if (spec.ImageHeight % spec.PatchHeight != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, ShapeSubject.PatchHeight, spec.ImageHeight, spec.PatchHeight, "height"));
            if (spec.ImageWidth % spec.PatchWidth != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, ShapeSubject.PatchWidth, spec.ImageWidth, spec.PatchWidth, "width"));
            if (spec.EmbedDim % spec.Heads != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.EmbedNotDivisibleByHeads, ShapeSubject.Heads, spec.EmbedDim, spec.Heads));
            // One problem per mistake: a distillation token without a class token is that, not also class-token pooling without one.
            if (spec.DistillationToken && !spec.ClassToken)
                problems.Add(new ShapeProblem(ShapeProblemKind.DistillationTokenWithoutClassToken, ShapeSubject.DistillationToken, 1));
            else if (spec.DistillationToken && spec.Pooling != Pooling.ClassToken)
                problems.Add(new ShapeProblem(ShapeProblemKind.DistillationTokenWithoutClassTokenPooling, ShapeSubject.DistillationToken, (long)spec.Pooling));
            else if (spec.Pooling == Pooling.ClassToken && !spec.ClassToken)
                problems.Add(new ShapeProblem(ShapeProblemKind.ClassTokenPoolingWithoutClassToken, ShapeSubject.ClassToken, 0));
            if (spec.MlpGate == MlpGate.Packed && spec.EffectiveMlpDim % 2 != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.PackedGateOddWidth, ShapeSubject.MlpGate, spec.EffectiveMlpDim));
            // timm's RotaryEmbeddingCat builds head_dim // 4 frequency bands per axis, sin and cos each repeated twice: 4 x bands
            // must be the head width, or the embedding does not broadcast against the queries.
            if (spec.Rotary && spec.EmbedDim % spec.Heads == 0 && (spec.EmbedDim / spec.Heads) % 4 != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.RotaryHeadDimNotDivisibleBy4, ShapeSubject.Rotary, spec.EmbedDim / spec.Heads, spec.Heads));
            if (spec.PositionEmbedding == PositionEmbeddingKind.None && !spec.PositionEmbeddingIncludesPrefix)
                problems.Add(new ShapeProblem(ShapeProblemKind.OptionWithoutEffect, ShapeSubject.PositionEmbeddingIncludesPrefix, 0));
            // q_bias and v_bias are the fused projection's bias, stored apart: without a bias, or beside separate projections
            // (which have their own), there is nothing to store.
            if (spec.SeparateQvBias && (!spec.QkvBias || spec.SeparateQkv))
                problems.Add(new ShapeProblem(ShapeProblemKind.OptionWithoutEffect, ShapeSubject.SeparateQvBias, spec.SeparateQkv ? 1 : 0));
            if (!spec.Rotary && spec.RotaryReferenceGrid != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.OptionWithoutEffect, ShapeSubject.RotaryReferenceGrid, spec.RotaryReferenceGrid));
            if (problems.Count > 0) return problems;

            // Counting parameters and MACs in checked arithmetic proves every size of the network fits a long.
            try { _ = new VitGeometry(spec); }
            catch (OverflowException)
            {
                problems.Add(new ShapeProblem(ShapeProblemKind.TooLarge, ShapeSubject.Model, spec.EmbedDim, MaxDimension));
                return problems;
            }

            if ((spec.EmbedDim / spec.Heads) % 8 != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.HeadDimNotMultipleOf8, ShapeSubject.Heads, spec.EmbedDim / spec.Heads, spec.Heads));
            return problems;
        }

        /// <summary>Whether a size is in its range: positive (or zero where <see cref="ShapeProblem.ZeroAllowed"/>) and at most <see cref="MaxDimension"/>.</summary>
        internal static bool IsValidSize(ShapeSubject subject, long value) =>
            value <= MaxDimension && (value > 0 || (value == 0 && ShapeProblem.ZeroAllowed(subject)));

        /// <summary>The geometry of a spec, or null (with the problems) when it has errors.</summary>
        public static VitGeometry? TryCreate(VitSpec spec, out List<ShapeProblem> problems)
        {
            problems = Check(spec);
            foreach (var problem in problems)
                if (!problem.IsWarning) return null;
            return new VitGeometry(spec);
        }

        /// <summary>The geometry of a spec; throws <see cref="ArgumentException"/> naming every error.</summary>
        public static VitGeometry Create(VitSpec spec)
        {
            var geometry = TryCreate(spec, out var problems);
            if (geometry is null)
            {
                var text = new StringBuilder("Invalid Vision Transformer shape:");
                foreach (var problem in problems)
                    if (!problem.IsWarning) text.Append(' ').Append(Describe(problem)).Append('.');
                throw new ArgumentException(text.ToString(), nameof(spec));
            }
            return geometry;
        }

        /// <summary>One sentence naming the values at fault.</summary>
        public static string Describe(ShapeProblem problem)
        {
            switch (problem.Kind)
            {
                case ShapeProblemKind.NonPositiveSize:
                    return ShapeProblem.DisplayName(problem.Subject) + " must be " + (ShapeProblem.ZeroAllowed(problem.Subject) ? "zero or positive" : "positive") + ", but is " + Num(problem.Value);
                case ShapeProblemKind.TooLarge:
                    return ShapeProblem.DisplayName(problem.Subject) + " is too large (" + Num(problem.Value) + "); sizes above " + Num(problem.Other) + " cannot be represented";
                case ShapeProblemKind.ImageNotDivisibleByPatch:
                    return "image " + problem.Axis + " " + Num(problem.Value) + " is not divisible by patch " + problem.Axis + " " + Num(problem.Other);
                case ShapeProblemKind.EmbedNotDivisibleByHeads:
                    return "embed dimension " + Num(problem.Value) + " is not divisible by " + Num(problem.Other) + " heads";
                case ShapeProblemKind.ClassTokenPoolingWithoutClassToken:
                    return "Pooling.ClassToken needs a class token, but ClassToken = false";
                case ShapeProblemKind.HeadDimNotMultipleOf8:
                    return "head dimension " + Num(problem.Value) + " is not a multiple of 8";
                case ShapeProblemKind.DistillationTokenWithoutClassToken:
                    return "DistillationToken needs a class token, but ClassToken = false";
                case ShapeProblemKind.DistillationTokenWithoutClassTokenPooling:
                    return "DistillationToken needs Pooling.ClassToken, but Pooling is " + PoolingName(problem.Value);
                case ShapeProblemKind.PackedGateOddWidth:
                    return "MlpGate.Packed halves the MLP hidden dimension, but it is odd (" + Num(problem.Value) + ")";
                case ShapeProblemKind.RotaryHeadDimNotDivisibleBy4:
                    return "the rotary embedding needs a head dimension divisible by 4, but it is " + Num(problem.Value);
                case ShapeProblemKind.OptionWithoutEffect:
                    switch (problem.Subject)
                    {
                        case ShapeSubject.RotaryReferenceGrid: return "RotaryReferenceGrid has no effect without Rotary = true";
                        case ShapeSubject.SeparateQvBias:
                            return problem.Value == 1 ? "SeparateQvBias has no effect with SeparateProjections = true" : "SeparateQvBias has no effect with QkvBias = false";
                        default: return "IncludePrefixTokens = false has no effect without a position embedding (PositionEmbeddingKind.None)";
                    }
                default:
                    return problem.Kind.ToString();
            }
        }

        /// <summary>"Pooling.Mean" for a <see cref="Pooling"/> value.</summary>
        internal static string PoolingName(long pooling) =>
            pooling >= 0 && pooling <= 2 ? "Pooling." + ((Pooling)pooling).ToString() : "(Pooling)" + Num(pooling);

        /// <summary>The divisors of <paramref name="n"/> closest to <paramref name="target"/>, nearest first (ties: smaller first).</summary>
        public static List<long> NearestDivisors(long n, long target, int count)
        {
            var divisors = Divisors(n);
            divisors.Sort((a, b) =>
            {
                int byDistance = Math.Abs(a - target).CompareTo(Math.Abs(b - target));
                return byDistance != 0 ? byDistance : a.CompareTo(b);
            });
            if (divisors.Count > count) divisors.RemoveRange(count, divisors.Count - count);
            return divisors;
        }

        /// <summary>
        /// Patch tokens a training forward keeps under patch dropout at <paramref name="rate"/> (timm's PatchDropout:
        /// max(1, floor(patches x (1 - rate))), prefix tokens always kept); all of them at rate 0 and in evaluation.
        /// </summary>
        public static long PatchTokensKept(long numPatches, double rate) =>
            rate <= 0 ? numPatches : Math.Max(1L, (long)Math.Floor(numPatches * (1.0 - rate)));

        /// <summary>All positive divisors of n in ascending order (n up to <see cref="MaxDimension"/>).</summary>
        public static List<long> Divisors(long n)
        {
            var small = new List<long>();
            var large = new List<long>();
            for (long d = 1; d * d <= n; d++)
            {
                if (n % d != 0) continue;
                small.Add(d);
                if (d != n / d) large.Add(n / d);
            }
            large.Reverse();
            small.AddRange(large);
            return small;
        }

        /// <summary>The per-image shape at a stage, as the paper writes it (Image is [H, W, C]); null when the stage does not exist (Logits of a headless model).</summary>
        public long[]? ShapeAt(Stage stage)
        {
            switch (stage)
            {
                case Stage.Image: return new long[] { Spec.ImageHeight, Spec.ImageWidth, Spec.Channels };
                case Stage.PatchTokens: return new long[] { NumPatches, Spec.EmbedDim };
                case Stage.Tokens: return new long[] { SequenceLength, Spec.EmbedDim };
                case Stage.Pooled: return new long[] { FeatureDim };
                case Stage.Logits: return Spec.NumClasses > 0 ? new long[] { Spec.NumClasses } : null;
                default: return null;
            }
        }

        /// <summary>
        /// The proven shape trace, one row per step, per image: what the generated comments, the SVIT0013 trace and the
        /// SVIT0011 explanations render.
        /// </summary>
        public IReadOnlyList<TraceStep> Steps
        {
            get
            {
                var spec = Spec;
                long d = spec.EmbedDim;
                bool dynamic = spec.DynamicImageSize;
                var steps = new List<TraceStep>();
                // A dynamic image size is symbolic, as a run-time class count is: the rows show H and W, their numbers (what
                // [ExpectShape] is compared with) are those of the declared size the position embedding is stored for.
                string declared = Num(spec.ImageHeight) + " x " + Num(spec.ImageWidth);
                string patchCount = "(H/" + Num(spec.PatchHeight) + ")(W/" + Num(spec.PatchWidth) + ")";
                string? Symbolic(string tokens) => dynamic ? "[" + tokens + "," + Num(d) + "]" : null;
                string sequence = PrefixTokens > 0 ? patchCount + "+" + Num(PrefixTokens) : patchCount;

                steps.Add(new TraceStep(Stage.Image, "image", ShapeAt(Stage.Image)!,
                                        dynamic ? "height, width, channels; any size the patch divides (declared " + declared + ")" : "height, width, channels",
                                        dynamic ? "height, width, channels at the declared " + declared : "height, width, channels",
                                        shapeText: dynamic ? "[H,W," + Num(spec.Channels) + "]" : null));
                string grid = Num(GridHeight) + " x " + Num(GridWidth) + " patches of " + Num(spec.PatchHeight) + "x" + Num(spec.PatchWidth);
                if (dynamic) grid = "(H/" + Num(spec.PatchHeight) + ") x (W/" + Num(spec.PatchWidth) + ") patches of " + Num(spec.PatchHeight) + "x" + Num(spec.PatchWidth) + ", " + grid.Substring(0, grid.IndexOf(" patches", StringComparison.Ordinal)) + " at " + declared;
                steps.Add(new TraceStep(Stage.PatchTokens, "patch tokens", ShapeAt(Stage.PatchTokens)!, grid, grid + ", " + Num(d) + " wide",
                                        shapeText: Symbolic(patchCount)));

                string prefix = "";
                if (spec.ClassToken) prefix += "class token ";
                if (spec.DistillationToken) prefix += (prefix.Length > 0 ? "+ " : "") + "distillation token ";
                if (spec.RegisterTokens > 0) prefix += (prefix.Length > 0 ? "+ " : "") + Num(spec.RegisterTokens) + " register token" + (spec.RegisterTokens == 1 ? "" : "s") + " ";
                prefix = prefix.Length > 0 ? prefix + "+ patches " : "patches ";
                string position = spec.PositionEmbedding == PositionEmbeddingKind.None ? "(no position embedding)"
                                : spec.PositionEmbeddingIncludesPrefix || PrefixTokens == 0 ? "+ position embedding"
                                : "+ position embedding on the patches";
                if (dynamic && spec.PositionEmbedding != PositionEmbeddingKind.None) position += " resampled to the grid";
                if (spec.PreNorm) position += ", norm";
                var parts = new List<string> { (dynamic ? patchCount : Num(NumPatches)) + " patches" };
                if (spec.ClassToken) parts.Add("1 class token");
                if (spec.DistillationToken) parts.Add("1 distillation token");
                if (spec.RegisterTokens > 0) parts.Add(Num(spec.RegisterTokens) + " register tokens");
                string tokensExplained = string.Join(" + ", parts) + (dynamic ? " (" + Num(SequenceLength) + " at the declared " + declared + ")" : "");
                steps.Add(new TraceStep(Stage.Tokens, "tokens", ShapeAt(Stage.Tokens)!, prefix + position, tokensExplained, shapeText: Symbolic(sequence)));

                if (spec.PatchDropout > 0)
                {
                    string kept = "training only: " + Num(TrainingPatchTokens) + " of " + Num(NumPatches) + " patch tokens kept" + (dynamic ? " at the declared size" : "");
                    steps.Add(new TraceStep(null, "patch dropout", new[] { PrefixTokens + TrainingPatchTokens, d }, kept, kept, trainingOnly: true));
                }
                string block = Num(spec.Heads) + " heads of " + Num(HeadDim) + ", MLP " + Num(MlpDim);
                if (spec.MlpGate == MlpGate.Packed) block += " (packed SwiGLU)";
                else if (spec.MlpGate == MlpGate.Split) block += " (SwiGLU)";
                if (spec.Rotary) block += ", rotary";
                steps.Add(new TraceStep(null, Num(spec.Depth) + " x block", ShapeAt(Stage.Tokens)!, block, Num(spec.Depth) + " encoder blocks", shapeText: Symbolic(sequence)));
                steps.Add(new TraceStep(Stage.Pooled, "pooled", ShapeAt(Stage.Pooled)!, PooledNote(), "the pooled " + Num(d) + "-wide vector"));
                if (spec.RepresentationSize > 0)
                    steps.Add(new TraceStep(null, "pre-logits", new long[] { spec.RepresentationSize }, "Linear + Tanh", "pre-logits Linear + Tanh"));
                string headNote = spec.DistillationToken ? "mean of head (class token) and head_dist (distillation token)" : "";
                if (spec.NumClasses > 0)
                    steps.Add(new TraceStep(Stage.Logits, "logits", ShapeAt(Stage.Logits)!, headNote, Num(spec.NumClasses) + " classes"));
                else if (spec.SymbolicNumClasses)
                    steps.Add(new TraceStep(null, "logits", new long[] { -1 }, "N = numClasses, a constructor argument" + (headNote.Length > 0 ? "; " + headNote : ""), "N classes, given at run time", shapeText: "[N]"));
                return steps;
            }
        }

        /// <summary>How the pooled row comes about: "class token after LayerNorm", "mean of patch tokens, LayerNorm", "attention pool (MAP) after LayerNorm"...</summary>
        private string PooledNote()
        {
            var spec = Spec;
            string norm = spec.Norm == NormKind.RmsNorm ? "RMSNorm" : "LayerNorm";
            string pooled;
            switch (spec.Pooling)
            {
                case Pooling.Mean: pooled = "mean of patch tokens"; break;
                case Pooling.AttentionPool: pooled = "attention pool (MAP)"; break;
                default: pooled = spec.DistillationToken ? "mean of class and distillation tokens" : "class token"; break;
            }
            switch (spec.EffectiveFinalNorm)
            {
                case FinalNorm.BeforePooling: return pooled + " after " + norm;
                case FinalNorm.AfterPooling: return pooled + ", " + norm;
                default: return pooled + ", no final norm";
            }
        }

        /// <summary>The proven trace on one line, for example "[224,224,3] -> [196,768] -> [197,768] -> 12 x block [197,768] -> [768] -> [1000]".</summary>
        public string Trace
        {
            get
            {
                var text = new StringBuilder();
                foreach (var step in Steps)
                {
                    if (step.TrainingOnly) continue;
                    if (text.Length > 0) text.Append(" -> ");
                    if (step.Stage is null && step.Label.EndsWith(" x block", StringComparison.Ordinal)) text.Append(step.Label).Append(' ');
                    text.Append(step.ShapeText);
                }
                return text.ToString();
            }
        }

        /// <summary>The trace row of a stage, or null when the network has no such stage.</summary>
        public TraceStep? StepAt(Stage stage)
        {
            foreach (var step in Steps)
                if (step.Stage == stage) return step;
            return null;
        }

        /// <summary>Writes a shape as the trace does: "[197,768]".</summary>
        public static string FormatShape(IReadOnlyList<long> dims)
        {
            var text = new StringBuilder("[");
            for (int i = 0; i < dims.Count; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(dims[i].ToString(CultureInfo.InvariantCulture));
            }
            return text.Append(']').ToString();
        }

        private long CountParameters()
        {
            checked {
            var spec = Spec;
            long d = spec.EmbedDim, m = MlpDim, hd = HeadDim;
            long total = (long)spec.Channels * spec.PatchHeight * spec.PatchWidth * d + (spec.PatchBias ? d : 0); // patch_embed.proj
            if (spec.ClassToken) total += d;                                              // cls_token
            if (spec.DistillationToken) total += d;                                       // dist_token
            total += spec.RegisterTokens * d;                                             // reg_token
            total += PositionEmbeddingTokens * d;                                         // pos_embed
            if (spec.PreNorm) total += NormParameters(d);                                 // norm_pre
            // q, k, v: one fused qkv, or EVA-02's q_proj, k_proj (no bias) and v_proj.
            // EVA-02's q_bias and v_bias beside a fused qkv are the same two biases.
            long qkv = d * 3 * d + (spec.QkvBias ? (spec.SeparateQkv || spec.SeparateQvBias ? 2 * d : 3 * d) : 0);
            long mlp;
            switch (spec.MlpGate)
            {
                case MlpGate.Packed: // fc1 holds both halves; fc2 and the inner norm read one half
                    mlp = d * m + m + (spec.MlpInnerNorm ? NormParameters(m / 2) : 0) + m / 2 * d + d;
                    break;
                case MlpGate.Split:  // fc1_g, fc1_x, norm, fc2
                    mlp = 2 * (d * m + m) + (spec.MlpInnerNorm ? NormParameters(m) : 0) + m * d + d;
                    break;
                default:             // fc1, norm, fc2
                    mlp = d * m + m + (spec.MlpInnerNorm ? NormParameters(m) : 0) + m * d + d;
                    break;
            }
            long block = NormParameters(d)                                                // norm1
                       + qkv                                                              // attn.qkv or attn.q_proj/k_proj/v_proj
                       + (spec.QkNorm ? 2 * NormParameters(hd) : 0)                       // attn.q_norm, attn.k_norm
                       + (spec.AttentionInnerNorm ? NormParameters(d) : 0)                // attn.norm
                       + d * d + d                                                        // attn.proj
                       + NormParameters(d)                                                // norm2
                       + mlp                                                              // mlp
                       + (spec.LayerScale ? 2 * d : 0);                                   // ls1, ls2 (EVA's gamma_1, gamma_2)
            total += spec.Depth * block;
            if (spec.EffectiveFinalNorm != FinalNorm.None) total += NormParameters(d);    // norm or fc_norm
            if (spec.Pooling == Pooling.AttentionPool)
                // timm's AttentionPoolLatent: latent, q, kv (biased whatever QkvBias), proj, norm, and a plain MLP as wide as the blocks'.
                total += d + (d * d + d) + (d * 2 * d + 2 * d) + (d * d + d) + NormParameters(d) + (d * m + m + m * d + d);
            if (spec.RepresentationSize > 0) total += d * spec.RepresentationSize + spec.RepresentationSize; // pre_logits.fc
            if (spec.NumClasses > 0) total += ClassifierHeads * (HeadInputDim * spec.NumClasses + spec.NumClasses); // head, head_dist
            return total;
            }
        }

        private long CountMacs()
        {
            checked {
            var spec = Spec;
            long d = spec.EmbedDim, n = SequenceLength, m = MlpDim;
            long total = NumPatches * spec.Channels * spec.PatchHeight * spec.PatchWidth * d; // patch embedding
            long mlp;
            switch (spec.MlpGate)
            {
                case MlpGate.Packed: mlp = n * d * m + n * (m / 2) * d; break;   // fc1 (both halves), fc2 (one half)
                case MlpGate.Split: mlp = 2 * n * d * m + n * m * d; break;      // fc1_g, fc1_x, fc2
                default: mlp = 2 * n * d * m; break;                             // fc1, fc2
            }
            long block = n * d * 3 * d      // qkv (fused or separate)
                       + n * n * d          // q @ k^T over all heads
                       + n * n * d          // attention @ v
                       + n * d * d          // proj
                       + mlp;
            total += spec.Depth * block;
            if (spec.Pooling == Pooling.AttentionPool)
                // One latent query: q, kv over every token, its attention over them, proj, MLP.
                total += d * d + n * d * 2 * d + 2 * n * d + d * d + 2 * d * m;
            if (spec.RepresentationSize > 0) total += d * spec.RepresentationSize;
            if (spec.NumClasses > 0) total += ClassifierHeads * HeadInputDim * spec.NumClasses;
            return total;
            }
        }

        private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The sizes a spec determines, each null where its own inputs are not valid sizes or do not divide: the arithmetic
    /// <see cref="VitGeometry"/> proves a valid spec with, and what the generated surface of a declaration with errors
    /// still keeps as constants (a wrong patch leaves the head width known). One copy of the shape arithmetic.
    /// </summary>
    internal sealed class KnownSizes
    {
        private KnownSizes() { }

        /// <summary>Patch rows: image height / patch height.</summary>
        public long? GridHeight { get; private set; }
        /// <summary>Patch columns: image width / patch width.</summary>
        public long? GridWidth { get; private set; }
        /// <summary>Patch tokens per image.</summary>
        public long? NumPatches { get; private set; }
        /// <summary>Class token (if any), distillation token (if any) plus register tokens.</summary>
        public long? PrefixTokens { get; private set; }
        /// <summary>Patches plus prefix tokens.</summary>
        public long? SequenceLength { get; private set; }
        /// <summary>Embed width / heads.</summary>
        public long? HeadDim { get; private set; }
        /// <summary>The MLP width, default (4 x embed) applied.</summary>
        public long? MlpDim { get; private set; }

        /// <summary>Each size of <paramref name="spec"/> that its own inputs determine.</summary>
        public static KnownSizes Of(VitSpec spec)
        {
            bool Valid(ShapeSubject subject, long value) => VitGeometry.IsValidSize(subject, value);
            long? Quotient(ShapeSubject numeratorSubject, long numerator, ShapeSubject divisorSubject, long divisor) =>
                Valid(numeratorSubject, numerator) && Valid(divisorSubject, divisor) && numerator % divisor == 0 ? numerator / divisor : (long?)null;

            var sizes = new KnownSizes
            {
                GridHeight = Quotient(ShapeSubject.ImageHeight, spec.ImageHeight, ShapeSubject.PatchHeight, spec.PatchHeight),
                GridWidth = Quotient(ShapeSubject.ImageWidth, spec.ImageWidth, ShapeSubject.PatchWidth, spec.PatchWidth),
                PrefixTokens = Valid(ShapeSubject.RegisterTokens, spec.RegisterTokens)
                    ? (spec.ClassToken ? 1 : 0) + (spec.DistillationToken ? 1 : 0) + (long)spec.RegisterTokens : (long?)null,
                HeadDim = Quotient(ShapeSubject.EmbedDim, spec.EmbedDim, ShapeSubject.Heads, spec.Heads),
                MlpDim = Valid(ShapeSubject.EmbedDim, spec.EmbedDim) && Valid(ShapeSubject.MlpDim, spec.MlpDim) ? spec.EffectiveMlpDim : (long?)null,
            };
            sizes.NumPatches = sizes.GridHeight * sizes.GridWidth;
            sizes.SequenceLength = sizes.NumPatches + sizes.PrefixTokens;
            return sizes;
        }
    }
}
