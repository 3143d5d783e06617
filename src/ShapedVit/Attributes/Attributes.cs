// Linked into the generator (netstandard2.0) as internal types, as System.Text.Json links its attribute sources: the
// generator reads each option's name (nameof) and default from these declarations, so each exists once. Keep this file
// free of runtime dependencies. Property names are the names of the matching VitSpec properties, prefixed by their
// concern where VitSpec, which is flat, would otherwise hold two of one name (Mlp.Gate is VitSpec.MlpGate).
using System;

#if SHAPEDVIT_GENERATOR
namespace ShapedVit.Generators
#else
namespace ShapedVit
#endif
{
    /// <summary>
    /// Marks a partial class as a Vision Transformer. The ShapedVit source generator proves its shapes at compile time and
    /// generates the TorchSharp module, its constants and its shape trace.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class VisionTransformerAttribute : Attribute
    {
        /// <summary>The default of <see cref="NumClasses"/>: ImageNet-1k's 1000 classes.</summary>
        public const int DefaultNumClasses = 1000;
        /// <summary>The default of <see cref="LayerNormEps"/>: 1e-6, as the paper's JAX code, torchvision and timm.</summary>
        public const double DefaultLayerNormEps = 1e-6;
        /// <summary>The default of <see cref="ClassToken"/>.</summary>
        public const bool DefaultClassToken = true;
        /// <summary>The default of <see cref="QkvBias"/>.</summary>
        public const bool DefaultQkvBias = true;

        /// <summary>Classes of the head; 0 makes a headless feature extractor. Default 1000.</summary>
        public int NumClasses { get; set; } = DefaultNumClasses;
        /// <summary>Class-token pooling (default), the mean of the patch tokens, or SigLIP's attention-pool (MAP) head.</summary>
        public Pooling Pooling { get; set; } = Pooling.ClassToken;
        /// <summary>Prepend a learned class token. Default true.</summary>
        public bool ClassToken { get; set; } = DefaultClassToken;
        /// <summary>Learned register tokens after the class token (Darcet et al., 2023). Default 0.</summary>
        public int RegisterTokens { get; set; }
        /// <summary>
        /// DeiT's learned distillation token after the class token (timm's <c>dist_token</c>), read by a second head
        /// (<c>head_dist</c>); at inference the two heads' logits are averaged, as timm's <c>VisionTransformerDistilled</c>
        /// does. Needs the class token and class-token pooling. Default false.
        /// </summary>
        public bool DistillationToken { get; set; }
        /// <summary>Bias in the qkv projection. Default true.</summary>
        public bool QkvBias { get; set; } = DefaultQkvBias;
        /// <summary>Initial value of LayerScale (CaiT); 0 turns LayerScale off.</summary>
        public double LayerScaleInit { get; set; }
        /// <summary>Width of the paper's pre-logits Linear + Tanh; 0 turns it off.</summary>
        public int RepresentationSize { get; set; }
        /// <summary>Dropout after the position embedding, in the MLP and after the attention projection (training only).</summary>
        public double Dropout { get; set; }
        /// <summary>Dropout of the attention probabilities (training only).</summary>
        public double AttentionDropout { get; set; }
        /// <summary>Stochastic depth rate of the last block; block i gets DropPath * i / (Depth - 1) (training only).</summary>
        public double DropPath { get; set; }
        /// <summary>
        /// Fraction of patch tokens each training image drops, at random (timm's <c>patch_drop_rate</c>); prefix tokens are kept.
        /// Training gets faster (fewer tokens per block) and learns from partial views; evaluation sees every patch.
        /// </summary>
        public double PatchDropout { get; set; }
        /// <summary>LayerNorm epsilon. Default 1e-6, as the paper's JAX code, torchvision and timm.</summary>
        public double LayerNormEps { get; set; } = DefaultLayerNormEps;
        /// <summary>One of the paper's sizes; explicit attributes override it.</summary>
        public VitPreset Preset { get; set; }
        /// <summary>
        /// The class count is a run-time fact (a folder of images, a user's label set): the head's width becomes the
        /// constructor argument <c>numClasses</c> (<c>new MyVit(numClasses: 7, seed: 0)</c>). Every other shape is still
        /// proven at compile time; the trace shows the logits as <c>[N]</c>. <c>numClasses: 0</c> builds it headless (timm's
        /// <c>num_classes=0</c>: the pooled vector comes out). Leave <see cref="NumClasses"/> out.
        /// </summary>
        public bool RuntimeNumClasses { get; set; }
    }

    /// <summary>Input image size: <c>[Image(224)]</c> or <c>[Image(height, width, Channels = 1)]</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)] // one allowed; the generator reports duplicates precisely
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class ImageAttribute : Attribute
    {
        /// <summary>The default of <see cref="Channels"/>: RGB.</summary>
        public const int DefaultChannels = 3;

        /// <summary>A square image of <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
        public ImageAttribute(int size) : this(size, size) { }
        /// <summary>An image of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
        public ImageAttribute(int height, int width) { ImageHeight = height; ImageWidth = width; }
        /// <summary>Image height in pixels.</summary>
        public int ImageHeight { get; }
        /// <summary>Image width in pixels.</summary>
        public int ImageWidth { get; }
        /// <summary>Colour channels. Default 3.</summary>
        public int Channels { get; set; } = DefaultChannels;
        /// <summary>
        /// The image size is a run-time fact (timm's <c>dynamic_img_size</c>): any height and width the patch divides are
        /// accepted, and the learned position embedding, stored for the declared size, is resampled to the input's patch grid
        /// at run time with antialiased bicubic interpolation, as timm resamples it. The trace shows the patch count as
        /// <c>(H/p)(W/p)</c>; every width is still proven. Default false.
        /// </summary>
        public bool DynamicSize { get; set; }
    }

    /// <summary>Patch size: <c>[Patch(16)]</c> or <c>[Patch(height, width)]</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class PatchAttribute : Attribute
    {
        /// <summary>Square patches of <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
        public PatchAttribute(int size) : this(size, size) { }
        /// <summary>Patches of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
        public PatchAttribute(int height, int width) { PatchHeight = height; PatchWidth = width; }
        /// <summary>Patch height in pixels; must divide the image height.</summary>
        public int PatchHeight { get; }
        /// <summary>Patch width in pixels; must divide the image width.</summary>
        public int PatchWidth { get; }
        /// <summary>The default of <see cref="Bias"/>.</summary>
        public const bool DefaultBias = true;
        /// <summary>Bias in the patch projection (timm's <c>patch_embed.proj.bias</c>; CLIP's towers have none). Default true.</summary>
        public bool Bias { get; set; } = DefaultBias;
    }

    /// <summary>Token width (the paper's hidden size D).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class EmbedAttribute : Attribute
    {
        /// <summary>Tokens <paramref name="dim"/> wide.</summary>
        public EmbedAttribute(int dim) => EmbedDim = dim;
        /// <summary>The token width D (timm's <c>embed_dim</c>).</summary>
        public int EmbedDim { get; }
    }

    /// <summary>Number of encoder blocks.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class DepthAttribute : Attribute
    {
        /// <summary>A stack of <paramref name="blocks"/> encoder blocks.</summary>
        public DepthAttribute(int blocks) => Depth = blocks;
        /// <summary>Number of encoder blocks (timm's <c>depth</c>).</summary>
        public int Depth { get; }
    }

    /// <summary>Attention heads per block; must divide the embed width.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class HeadsAttribute : Attribute
    {
        /// <summary><paramref name="count"/> attention heads per block.</summary>
        public HeadsAttribute(int count) => Heads = count;
        /// <summary>Attention heads per block (timm's <c>num_heads</c>).</summary>
        public int Heads { get; }
    }

    /// <summary>MLP hidden width. Default 4 x embed.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class MlpAttribute : Attribute
    {
        /// <summary>An MLP hidden layer <paramref name="hiddenDim"/> wide.</summary>
        public MlpAttribute(int hiddenDim) => MlpDim = hiddenDim;
        /// <summary>MLP hidden width (timm's <c>hidden_features</c>: for <see cref="MlpGate.Packed"/> the width of the one
        /// projection holding both halves, for <see cref="MlpGate.Split"/> the width of each of the two).</summary>
        public int MlpDim { get; }
        /// <summary>The activation: exact GELU (default), tanh GELU (SigLIP), QuickGELU (OpenAI CLIP) or SiLU (SwiGLU).</summary>
        public MlpActivation Activation { get; set; }
        /// <summary>A gated MLP (GLU): none (default), one packed projection chunked in two (timm's <c>SwiGLUPacked</c>,
        /// DINOv2-giant), or two projections <c>fc1_g</c>, <c>fc1_x</c> (timm's <c>SwiGLU</c>, EVA-02).</summary>
        public MlpGate Gate { get; set; }
        /// <summary>A norm on the hidden activations before <c>fc2</c> (timm's <c>scale_mlp</c>, EVA-02's <c>mlp.norm</c>). Default false.</summary>
        public bool InnerNorm { get; set; }
    }

    /// <summary>
    /// The position embedding: <c>[PositionEmbedding(PositionEmbeddingKind.None)]</c>, or learned without slots for the prefix
    /// tokens, as timm's <c>no_embed_class</c> (DeiT-III, DINOv2 with registers): <c>[PositionEmbedding(IncludePrefixTokens = false)]</c>.
    /// Without this attribute: learned, with a slot per prefix token, as the paper.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class PositionEmbeddingAttribute : Attribute
    {
        /// <summary>The default of <see cref="IncludePrefixTokens"/>.</summary>
        public const bool DefaultIncludePrefixTokens = true;

        /// <summary>A learned position embedding.</summary>
        public PositionEmbeddingAttribute() : this(PositionEmbeddingKind.Learned) { }
        /// <summary>A position embedding of <paramref name="kind"/>.</summary>
        public PositionEmbeddingAttribute(PositionEmbeddingKind kind) => PositionEmbedding = kind;
        /// <summary>Learned (timm's <c>pos_embed_type='learn'</c>) or none.</summary>
        public PositionEmbeddingKind PositionEmbedding { get; }
        /// <summary>Whether the learned embedding has slots for the prefix tokens (false is timm's <c>no_embed_class=True</c>:
        /// the prefix tokens are prepended after the patches got theirs). Default true.</summary>
        public bool IncludePrefixTokens { get; set; } = DefaultIncludePrefixTokens;
    }

    /// <summary>
    /// The norms: their kind (LayerNorm or RMSNorm, epsilon <c>LayerNormEps</c>), a norm before the blocks (timm's
    /// <c>pre_norm</c>, CLIP's <c>norm_pre</c>) and where the final norm sits. Without this attribute: LayerNorm, no pre-norm,
    /// and the final norm where timm puts it by default.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class NormAttribute : Attribute
    {
        /// <summary>LayerNorm everywhere.</summary>
        public NormAttribute() : this(NormKind.LayerNorm) { }
        /// <summary>Norms of <paramref name="kind"/> everywhere.</summary>
        public NormAttribute(NormKind kind) => Norm = kind;
        /// <summary>LayerNorm (default) or RMSNorm.</summary>
        public NormKind Norm { get; }
        /// <summary>A norm after the position embedding, before the blocks (timm's <c>norm_pre</c>, as CLIP). Default false.</summary>
        public bool PreNorm { get; set; }
        /// <summary>Where the final norm sits: <see cref="FinalNorm.Auto"/> is timm's default (after pooling for mean pooling,
        /// on the tokens otherwise).</summary>
        public FinalNorm FinalNorm { get; set; }
    }

    /// <summary>
    /// Options of the attention layers beyond the paper's (its qkv bias stays <c>QkvBias</c> on [VisionTransformer]):
    /// qk-norm, EVA-02's separate q/k/v projections and inner norm, and EVA-02's rotary position embedding.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class AttentionAttribute : Attribute
    {
        /// <summary>A norm on each head's queries and keys (timm's <c>qk_norm</c>). Default false.</summary>
        public bool QkNorm { get; set; }
        /// <summary>Separate <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> (EVA-02, timm's <c>qkv_fused=False</c>; the key projection
        /// has no bias) instead of one fused <c>qkv</c>. Default false.</summary>
        public bool SeparateProjections { get; set; }
        /// <summary>The fused <c>qkv</c> projection has no bias of its own; learned <c>q_bias</c> and <c>v_bias</c> are added
        /// and the keys get none (EVA-02 Tiny and Small: timm's <c>Eva</c> with its default <c>qkv_fused=True</c>). Needs
        /// <c>QkvBias</c> and a fused projection. Default false.</summary>
        public bool SeparateQvBias { get; set; }
        /// <summary>A norm on the attention output before <c>proj</c> (timm's <c>scale_attn_inner</c>, EVA-02 CLIP). Default false.</summary>
        public bool InnerNorm { get; set; }
        /// <summary>EVA-02's rotary position embedding on the patch tokens' queries and keys (timm's <c>use_rot_pos_emb</c>,
        /// <c>RotaryEmbeddingCat</c>); the head width must split into four. Default false.</summary>
        public bool Rotary { get; set; }
        /// <summary>The patch grid the rotary frequencies were trained at (timm's <c>ref_feat_shape</c>, square); 0 (default)
        /// means the model's own grid.</summary>
        public int RotaryReferenceGrid { get; set; }
    }

    /// <summary>
    /// A shape the author expects at a stage (per image, batch left out); the generator proves it or reports both shapes.
    /// The paper's trace: <c>[ExpectShape(Stage.Image, 224, 224, 3)] [ExpectShape(Stage.PatchTokens, 196, 768)] [ExpectShape(Stage.Tokens, 197, 768)]</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class ExpectShapeAttribute : Attribute
    {
        /// <summary>Expects the per-image shape <paramref name="dims"/> at <paramref name="stage"/>.</summary>
        /// <param name="stage">The point in the forward pass the shape is checked at.</param>
        /// <param name="dims">The expected dimensions, batch left out (e.g. 197, 768).</param>
        public ExpectShapeAttribute(Stage stage, params int[] dims) { Stage = stage; Dims = dims; }
        /// <summary>The stage the shape is expected at.</summary>
        public Stage Stage { get; }
        /// <summary>The expected dimensions, batch left out.</summary>
        public int[] Dims { get; }
    }
}
