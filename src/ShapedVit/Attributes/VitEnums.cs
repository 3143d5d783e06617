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
