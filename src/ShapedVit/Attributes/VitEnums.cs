// Linked into the generator (netstandard2.0) as internal types: keep this file free of runtime dependencies.
#if SHAPEDVIT_GENERATOR
// Inside the generator the linked copies live in its own namespace, so an assembly that sees both the runtime's public
// types and the generator's internals (the generator tests) finds one type per name.
namespace ShapedVit.Generators
#else
namespace ShapedVit
#endif
{
    /// <summary>How the token sequence becomes one feature vector before the head.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum Pooling
    {
        /// <summary>The class token after the final LayerNorm (the paper, torchvision, timm's default).</summary>
        ClassToken = 0,
        /// <summary>The mean of the patch tokens, then a LayerNorm (timm's <c>global_pool='avg'</c> with <c>fc_norm</c>).</summary>
        Mean = 1,
        /// <summary>SigLIP's multi-head attention pooling (timm's <c>global_pool='map'</c>): a learned latent query attends to
        /// the tokens, then an MLP (<c>attn_pool</c>).</summary>
        AttentionPool = 2,
    }

    /// <summary>The kind of position embedding.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum PositionEmbeddingKind
    {
        /// <summary>A learned embedding added to the tokens (timm's <c>pos_embed</c>).</summary>
        Learned = 0,
        /// <summary>No position embedding (the tokens carry no position, or a rotary embedding gives it).</summary>
        None = 1,
    }

    /// <summary>The norm layer of every norm in the model.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum NormKind
    {
        /// <summary>LayerNorm with weight and bias.</summary>
        LayerNorm = 0,
        /// <summary>RMSNorm with a weight (timm's <c>RmsNorm</c>).</summary>
        RmsNorm = 1,
    }

    /// <summary>Where the final norm sits (timm's <c>final_norm</c> and <c>fc_norm</c>).</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum FinalNorm
    {
        /// <summary>timm's default: after pooling (<c>fc_norm</c>) for <see cref="Pooling.Mean"/>, on the tokens (<c>norm</c>) otherwise.</summary>
        Auto = 0,
        /// <summary>On every token after the last block (<c>norm</c>; timm's <c>fc_norm=False</c>).</summary>
        BeforePooling = 1,
        /// <summary>On the pooled vector (<c>fc_norm</c>; timm's <c>fc_norm=True</c>).</summary>
        AfterPooling = 2,
        /// <summary>No final norm (timm's <c>final_norm=False</c>).</summary>
        None = 3,
    }

    /// <summary>The MLP's activation.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum MlpActivation
    {
        /// <summary>Exact (erf) GELU: the paper, timm's default.</summary>
        Gelu = 0,
        /// <summary>GELU's tanh approximation (timm's <c>gelu_tanh</c>, SigLIP).</summary>
        GeluTanh = 1,
        /// <summary>x * sigmoid(1.702 x) (timm's <c>quick_gelu</c>, OpenAI CLIP).</summary>
        QuickGelu = 2,
        /// <summary>x * sigmoid(x), the activation of SwiGLU.</summary>
        Silu = 3,
    }

    /// <summary>Whether the MLP is gated (a GLU), and how its two halves are stored.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum MlpGate
    {
        /// <summary>fc1, activation, fc2.</summary>
        None = 0,
        /// <summary>One fc1 whose output is chunked into two halves, the activation of the first times the second (timm's
        /// <c>SwiGLUPacked</c>/<c>GluMlp</c>, DINOv2-giant); fc2 reads half the hidden width, which must be even.</summary>
        Packed = 1,
        /// <summary>Two projections <c>fc1_g</c> (activated) and <c>fc1_x</c>, multiplied (timm's <c>SwiGLU</c>, EVA-02).</summary>
        Split = 2,
    }

    /// <summary>The model sizes of the paper's Table 1 (Tiny and Small as DeiT defines them).</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum VitPreset
    {
        /// <summary>No preset: Image, Patch, Embed, Depth and Heads must be given.</summary>
        None = 0,
        /// <summary>192 wide, 12 blocks, 3 heads, MLP 768.</summary>
        Tiny = 1,
        /// <summary>384 wide, 12 blocks, 6 heads, MLP 1536.</summary>
        Small = 2,
        /// <summary>768 wide, 12 blocks, 12 heads, MLP 3072.</summary>
        Base = 3,
        /// <summary>1024 wide, 24 blocks, 16 heads, MLP 4096.</summary>
        Large = 4,
        /// <summary>1280 wide, 32 blocks, 16 heads, MLP 5120.</summary>
        Huge = 5,
    }

    /// <summary>
    /// Named points of the network where <c>[ExpectShape]</c> states a shape (per image, batch left out). "Features" means
    /// what it means in timm: the token sequence <c>ForwardFeatures</c> returns, the shape of <see cref="Tokens"/>; pooling
    /// it gives <see cref="Pooled"/>.
    /// </summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum Stage
    {
        /// <summary>The input image as the paper writes it: [H, W, C].</summary>
        Image = 0,
        /// <summary>Patch embeddings: [NumPatches, Embed].</summary>
        PatchTokens = 1,
        /// <summary>Tokens entering the encoder (prefix tokens + patches): [SequenceLength, Embed].</summary>
        Tokens = 2,
        /// <summary>
        /// The pooled vector: the class token after the final LayerNorm, or the normed mean of the patch tokens; before the
        /// pre-logits layer and the head (what <c>ForwardHead(tokens, preLogits: true)</c> returns): [Embed].
        /// </summary>
        Pooled = 3,
        /// <summary>The class scores: [NumClasses].</summary>
        Logits = 4,
    }
}
