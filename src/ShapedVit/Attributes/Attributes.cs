// Linked into the generator (netstandard2.0) as internal types, as System.Text.Json links its attribute sources: the
// generator reads each option's name (nameof) and default from these declarations, so each exists once. Keep this file
// free of runtime dependencies. Property names are the names of the matching VitSpec properties.
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
        /// <summary>Class-token pooling (default) or the mean of the patch tokens.</summary>
        public Pooling Pooling { get; set; } = Pooling.ClassToken;
        /// <summary>Prepend a learned class token. Default true.</summary>
        public bool ClassToken { get; set; } = DefaultClassToken;
        /// <summary>Learned register tokens after the class token (Darcet et al., 2023). Default 0.</summary>
        public int RegisterTokens { get; set; }
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
        /// proven at compile time; the trace shows the logits as <c>[N]</c>. Leave <see cref="NumClasses"/> out.
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

        public ImageAttribute(int size) : this(size, size) { }
        public ImageAttribute(int height, int width) { ImageHeight = height; ImageWidth = width; }
        public int ImageHeight { get; }
        public int ImageWidth { get; }
        /// <summary>Colour channels. Default 3.</summary>
        public int Channels { get; set; } = DefaultChannels;
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
        public PatchAttribute(int size) : this(size, size) { }
        public PatchAttribute(int height, int width) { PatchHeight = height; PatchWidth = width; }
        public int PatchHeight { get; }
        public int PatchWidth { get; }
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
        public EmbedAttribute(int dim) => EmbedDim = dim;
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
        public DepthAttribute(int blocks) => Depth = blocks;
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
        public HeadsAttribute(int count) => Heads = count;
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
        public MlpAttribute(int hiddenDim) => MlpDim = hiddenDim;
        public int MlpDim { get; }
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
        public ExpectShapeAttribute(Stage stage, params int[] dims) { Stage = stage; Dims = dims; }
        public Stage Stage { get; }
        public int[] Dims { get; }
    }
}
