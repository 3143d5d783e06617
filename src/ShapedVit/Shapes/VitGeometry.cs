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
            subject == ShapeSubject.MlpDim || subject == ShapeSubject.NumClasses || subject == ShapeSubject.RegisterTokens || subject == ShapeSubject.RepresentationSize;

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
            PositionEmbeddingTokens = sizes.PositionEmbeddingTokens!.Value;
            HeadDim = sizes.HeadDim!.Value;
            MlpDim = sizes.MlpDim!.Value;
            FeatureDim = spec.EmbedDim;
            HeadInputDim = spec.RepresentationSize > 0 ? spec.RepresentationSize : spec.EmbedDim;
            TrainingPatchTokens = PatchTokensKept(NumPatches, spec.PatchDropout);
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
        /// <summary>Tokens before the patches: the class token, the distillation token and the register tokens, as declared.</summary>
        public long PrefixTokens { get; }
        /// <summary>Tokens in the encoder sequence N: patches plus prefix tokens (197 for ViT-B/16).</summary>
        public long SequenceLength { get; }
        /// <summary>Slots of the learned position embedding (<c>pos_embed</c>'s second dimension): the patches, plus the prefix
        /// tokens unless they have none (timm's <c>no_embed_class</c>); 0 without a position embedding.</summary>
        public long PositionEmbeddingTokens { get; }
        /// <summary>Width of one attention head: EmbedDim / Heads.</summary>
        public long HeadDim { get; }
        /// <summary>MLP hidden width, default (4 x EmbedDim) applied.</summary>
        public long MlpDim { get; }
        /// <summary>Width of the features (each token ForwardFeatures returns) and of the pooled vector: the embed width, timm's <c>num_features</c>.</summary>
        public long FeatureDim { get; }
        /// <summary>Width the classifier head reads: RepresentationSize if there is a pre-logits layer, else the embed width.</summary>
        public long HeadInputDim { get; }
        /// <summary>Parameters the head adds per class (weights and bias): with a run-time class count N the model has ParameterCount + N x this.</summary>
        public long HeadParametersPerClass => HeadInputDim + 1;
        /// <summary>Multiply-accumulates the head adds per class and image.</summary>
        public long HeadMacsPerClass => HeadInputDim;
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
            if (problems.Count > 0) return problems;

            if (spec.ImageHeight % spec.PatchHeight != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, ShapeSubject.PatchHeight, spec.ImageHeight, spec.PatchHeight, "height"));
            if (spec.ImageWidth % spec.PatchWidth != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, ShapeSubject.PatchWidth, spec.ImageWidth, spec.PatchWidth, "width"));
            if (spec.EmbedDim % spec.Heads != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.EmbedNotDivisibleByHeads, ShapeSubject.Heads, spec.EmbedDim, spec.Heads));
            if (spec.Pooling == Pooling.ClassToken && !spec.ClassToken)
                problems.Add(new ShapeProblem(ShapeProblemKind.ClassTokenPoolingWithoutClassToken, ShapeSubject.ClassToken, 0));
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
                default:
                    return problem.Kind.ToString();
            }
        }

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
                var steps = new List<TraceStep>();
                steps.Add(new TraceStep(Stage.Image, "image", ShapeAt(Stage.Image)!, "height, width, channels", "height, width, channels"));
                string grid = Num(GridHeight) + " x " + Num(GridWidth) + " patches of " + Num(spec.PatchHeight) + "x" + Num(spec.PatchWidth);
                steps.Add(new TraceStep(Stage.PatchTokens, "patch tokens", ShapeAt(Stage.PatchTokens)!, grid, grid + ", " + Num(d) + " wide"));

                string prefix = "";
                if (spec.ClassToken) prefix += "class token ";
                if (spec.RegisterTokens > 0) prefix += (prefix.Length > 0 ? "+ " : "") + Num(spec.RegisterTokens) + " register token" + (spec.RegisterTokens == 1 ? "" : "s") + " ";
                prefix = prefix.Length > 0 ? prefix + "+ patches " : "patches ";
                var parts = new List<string> { Num(NumPatches) + " patches" };
                if (spec.ClassToken) parts.Add("1 class token");
                if (spec.RegisterTokens > 0) parts.Add(Num(spec.RegisterTokens) + " register tokens");
                steps.Add(new TraceStep(Stage.Tokens, "tokens", ShapeAt(Stage.Tokens)!, prefix + "+ position embedding", string.Join(" + ", parts)));

                if (spec.PatchDropout > 0)
                {
                    string kept = "training only: " + Num(TrainingPatchTokens) + " of " + Num(NumPatches) + " patch tokens kept";
                    steps.Add(new TraceStep(null, "patch dropout", new[] { PrefixTokens + TrainingPatchTokens, d }, kept, kept, trainingOnly: true));
                }
                steps.Add(new TraceStep(null, Num(spec.Depth) + " x block", ShapeAt(Stage.Tokens)!,
                                        Num(spec.Heads) + " heads of " + Num(HeadDim) + ", MLP " + Num(MlpDim), Num(spec.Depth) + " encoder blocks"));
                steps.Add(new TraceStep(Stage.Pooled, "pooled", ShapeAt(Stage.Pooled)!,
                                        spec.Pooling == Pooling.ClassToken ? "class token after LayerNorm" : "mean of patch tokens, LayerNorm",
                                        "the pooled " + Num(d) + "-wide vector"));
                if (spec.RepresentationSize > 0)
                    steps.Add(new TraceStep(null, "pre-logits", new long[] { spec.RepresentationSize }, "Linear + Tanh", "pre-logits Linear + Tanh"));
                if (spec.NumClasses > 0)
                    steps.Add(new TraceStep(Stage.Logits, "logits", ShapeAt(Stage.Logits)!, "", Num(spec.NumClasses) + " classes"));
                else if (spec.SymbolicNumClasses)
                    steps.Add(new TraceStep(null, "logits", new long[] { -1 }, "N = numClasses, a constructor argument", "N classes, given at run time", shapeText: "[N]"));
                return steps;
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
            long d = Spec.EmbedDim, m = MlpDim;
            long total = (long)Spec.Channels * Spec.PatchHeight * Spec.PatchWidth * d + d; // patch_embed.proj
            if (Spec.ClassToken) total += d;                                              // cls_token
            total += Spec.RegisterTokens * d;                                             // reg_token
            total += SequenceLength * d;                                                  // pos_embed
            long block = 2 * d                                                            // norm1
                       + d * 3 * d + (Spec.QkvBias ? 3 * d : 0)                           // attn.qkv
                       + d * d + d                                                        // attn.proj
                       + 2 * d                                                            // norm2
                       + d * m + m + m * d + d                                            // mlp.fc1, mlp.fc2
                       + (Spec.LayerScale ? 2 * d : 0);                                   // ls1, ls2
            total += Spec.Depth * block;
            total += 2 * d;                                                               // norm or fc_norm
            if (Spec.RepresentationSize > 0) total += d * Spec.RepresentationSize + Spec.RepresentationSize; // pre_logits.fc
            if (Spec.NumClasses > 0) total += HeadInputDim * Spec.NumClasses + Spec.NumClasses;             // head
            return total;
            }
        }

        private long CountMacs()
        {
            checked {
            long d = Spec.EmbedDim, n = SequenceLength;
            long total = NumPatches * Spec.Channels * Spec.PatchHeight * Spec.PatchWidth * d; // patch embedding
            long block = n * d * 3 * d      // qkv
                       + n * n * d          // q @ k^T over all heads
                       + n * n * d          // attention @ v
                       + n * d * d          // proj
                       + 2 * n * d * MlpDim; // fc1, fc2
            total += Spec.Depth * block;
            if (Spec.RepresentationSize > 0) total += d * Spec.RepresentationSize;
            if (Spec.NumClasses > 0) total += HeadInputDim * Spec.NumClasses;
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
        /// <summary>Class token, distillation token (each if any) plus register tokens.</summary>
        public long? PrefixTokens { get; private set; }
        /// <summary>Patches plus prefix tokens.</summary>
        public long? SequenceLength { get; private set; }
        /// <summary>Slots of the learned position embedding: patches, plus prefix tokens where it has slots for them; 0 for none.</summary>
        public long? PositionEmbeddingTokens { get; private set; }
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
            sizes.PositionEmbeddingTokens = spec.PositionEmbedding == PositionEmbeddingKind.None ? 0
                : spec.PositionEmbeddingIncludesPrefix ? sizes.SequenceLength : sizes.NumPatches;
            return sizes;
        }
    }
}
