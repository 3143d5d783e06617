using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Multi-head self-attention (timm's <c>Attention</c>, or EVA-02's <c>EvaAttention</c> with separate projections),
/// computed with scaled_dot_product_attention (in float32 CPU inference over long sequences, on CPUs where oneDNN's path
/// is chosen, with each head's products on oneDNN instead: see the CPU seam, <c>CpuInference.Attention</c>). Options, each as timm computes it: a norm on each head's queries and keys
/// (<c>q_norm</c>, <c>k_norm</c>), separate <c>q_proj</c>/<c>k_proj</c>/<c>v_proj</c> (the key projection without bias),
/// EVA-02's rotary position embedding on the patch tokens' queries and keys, and a norm on the attention output before
/// the projection (<c>norm</c>, timm's <c>scale_norm</c>/<c>scale_attn_inner</c>). Its projections are
/// <see cref="PackableLinear"/> layers, called with <c>call</c>.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys, in timm's order: attn.qkv (or q_proj, k_proj, v_proj), q_norm, k_norm, norm, proj.
    private readonly PackableLinear? qkv;
    private readonly Parameter? q_bias; // EVA's fused qkv: the query and value biases apart, the key unbiased
    private readonly Parameter? v_bias;
    private readonly PackableLinear? q_proj;
    private readonly PackableLinear? k_proj;
    private readonly PackableLinear? v_proj;
    private readonly nn.Module<Tensor, Tensor>? q_norm;
    private readonly nn.Module<Tensor, Tensor>? k_norm;
    private readonly nn.Module<Tensor, Tensor>? norm;
    private readonly PackableLinear proj;
    private readonly Dropout proj_drop;
    private readonly RotaryEmbedding.RotaryState? rope; // the model's rotary embedding, read per forward; not a child module
    private readonly long prefixTokens;
    private readonly long numHeads;
    private readonly long headDim;
    private readonly double attentionDropout;

    /// <summary>Self-attention over tokens <paramref name="embedDim"/> wide, split into <paramref name="numHeads"/> heads.</summary>
    /// <param name="embedDim">Token width D; must be divisible by <paramref name="numHeads"/>.</param>
    /// <param name="numHeads">Number of heads H.</param>
    /// <param name="qkvBias">Whether the qkv projection (or the query and value projections) has a bias.</param>
    /// <param name="attentionDropout">Dropout probability on the attention weights (training only).</param>
    /// <param name="projectionDropout">Dropout probability after the output projection (training only).</param>
    /// <param name="normKind">The kind of the query/key norms and the inner norm.</param>
    /// <param name="normEps">Their epsilon.</param>
    /// <param name="qkNorm">A norm over each head's queries and keys (<c>q_norm</c>, <c>k_norm</c>).</param>
    /// <param name="separateQkv">Separate <c>q_proj</c>, <c>k_proj</c> (no bias), <c>v_proj</c> instead of one <c>qkv</c> (EVA-02).</param>
    /// <param name="separateQvBias">The fused <c>qkv</c>'s bias kept as <c>q_bias</c> and <c>v_bias</c>, the keys unbiased (timm's <c>Eva</c>
    /// with <c>qkv_fused=True</c>, EVA-02 Tiny/Small); needs <paramref name="qkvBias"/> and a fused projection.</param>
    /// <param name="innerNorm">A norm on the heads' merged output before <c>proj</c> (<c>norm</c>).</param>
    /// <param name="rope">The model's rotary embedding, applied to the queries and keys of the tokens after <paramref name="prefixTokens"/>; null for none.</param>
    /// <param name="prefixTokens">Tokens before the patches (class, register, distillation), which the rotary embedding leaves alone.</param>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not divisible by a positive <paramref name="numHeads"/>, or the rotary embedding's head width is not D / H.</exception>
    public Attention(long embedDim, long numHeads, bool qkvBias = true, double attentionDropout = 0, double projectionDropout = 0,
                     NormKind normKind = NormKind.LayerNorm, double normEps = VisionTransformerAttribute.DefaultLayerNormEps,
                     bool qkNorm = false, bool separateQkv = false, bool innerNorm = false, RotaryEmbedding? rope = null, long prefixTokens = 0,
                     bool separateQvBias = false)
        : base(nameof(Attention))
    {
        if (numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentException($"Embed dimension {embedDim} is not divisible by {numHeads} heads.", nameof(numHeads));
        this.numHeads = numHeads;
        headDim = embedDim / numHeads;
        if (rope is not null && rope.HeadDim != headDim)
            throw new ArgumentException($"The rotary embedding is {rope.HeadDim} wide per head, the heads {headDim}.", nameof(rope));
        if (prefixTokens < 0) throw new ArgumentOutOfRangeException(nameof(prefixTokens), prefixTokens, "Prefix tokens cannot be negative.");
        this.attentionDropout = attentionDropout;
        if (separateQkv)
        {
            q_proj = new PackableLinear(embedDim, embedDim, hasBias: qkvBias);
            k_proj = new PackableLinear(embedDim, embedDim, hasBias: false);
            v_proj = new PackableLinear(embedDim, embedDim, hasBias: qkvBias);
        }
        else if (separateQvBias)
        {
            if (!qkvBias) throw new ArgumentException("Separate query and value biases need qkvBias.", nameof(separateQvBias));
            qkv = new PackableLinear(embedDim, embedDim * 3, hasBias: false);
            q_bias = nn.Parameter(torch.zeros(embedDim));
            v_bias = nn.Parameter(torch.zeros(embedDim));
        }
        else qkv = new PackableLinear(embedDim, embedDim * 3, hasBias: qkvBias);
        if (separateQkv && separateQvBias)
            throw new ArgumentException("Separate query and value biases belong to a fused qkv projection.", nameof(separateQvBias));
        if (qkNorm)
        {
            q_norm = Norms.Create(normKind, headDim, normEps);
            k_norm = Norms.Create(normKind, headDim, normEps);
        }
        if (innerNorm) norm = Norms.Create(normKind, embedDim, normEps);
        proj = new PackableLinear(embedDim, embedDim);
        proj_drop = nn.Dropout(projectionDropout);
        this.rope = rope?.State;
        this.prefixTokens = prefixTokens;
        RegisterComponents();
    }

    /// <summary>Number of heads H.</summary>
    public long NumHeads => numHeads;
    /// <summary>Width of one head: D / H.</summary>
    public long HeadDim => headDim;
    /// <summary>The fused query/key/value projection, D -> 3D (state_dict key <c>attn.qkv</c>).</summary>
    /// <exception cref="InvalidOperationException">The attention has separate projections (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>).</exception>
    public PackableLinear Qkv => qkv ?? throw new InvalidOperationException("This attention has separate q_proj, k_proj and v_proj projections, no fused qkv.");
    /// <summary>The output projection, D -> D (state_dict key <c>attn.proj</c>).</summary>
    public PackableLinear Projection => proj;
    /// <summary>Whether the queries and keys of the patch tokens get the model's rotary position embedding.</summary>
    public bool Rotary => rope is not null;

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (q, k, v, batch, length, dim) = SplitHeads(tokens);
        bool dropout = training && attentionDropout > 0;
        var mixed = (dropout ? null : CpuInference.Attention(q, k, v)) // oneDNN's products for long sequences on some CPUs (see there)
                    ?? nn.functional.scaled_dot_product_attention(q, k, v, p: dropout ? attentionDropout : 0.0); // [B, H, N, hd]
        return Merge(mixed, batch, length, dim).MoveToOuterDisposeScope();
    }

    /// <summary>Like <see cref="forward"/>, also returning the attention probabilities [B, H, N, N] (computed explicitly, so slower).</summary>
    public (Tensor Output, Tensor Weights) ForwardWithWeights(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (q, k, v, batch, length, dim) = SplitHeads(tokens);
        using var scale = (1.0 / Math.Sqrt(headDim)).ToScalar(); // held until the call returns (see Scalars)
        var weights = q.matmul(k.transpose(-2, -1)).mul_(scale).softmax(-1); // [B, H, N, N]
        var dropped = training && attentionDropout > 0 ? nn.functional.dropout(weights, attentionDropout, training) : weights;
        var output = Merge(dropped.matmul(v), batch, length, dim);
        return (output.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    private (Tensor Q, Tensor K, Tensor V, long Batch, long Length, long Dim) SplitHeads(Tensor tokens)
    {
        long batch = tokens.shape[0], length = tokens.shape[1], dim = tokens.shape[2];
        Tensor q, k, v;
        if (qkv is not null)
        {
            var projected = qkv.call(tokens);
            if (q_bias is not null)
            {
                // timm: F.linear(x, qkv.weight, cat(q_bias, zeros, v_bias)); here the bias is added after the (packable) projection.
                var bias = torch.cat([q_bias, torch.zeros_like(q_bias), v_bias!], 0);
                projected = projected.add_(bias, Scalars.One);
            }
            var stacked = projected.reshape(batch, length, 3, numHeads, headDim).permute(2, 0, 3, 1, 4); // [3, B, H, N, hd]
            (q, k, v) = (stacked[0], stacked[1], stacked[2]);
        }
        else
        {
            q = Heads(q_proj!.call(tokens), batch, length);
            k = Heads(k_proj!.call(tokens), batch, length);
            v = Heads(v_proj!.call(tokens), batch, length);
        }
        if (q_norm is not null)
        {
            q = q_norm.call(q);
            k = k_norm!.call(k);
        }
        if (rope is not null)
        {
            var embedding = rope.Current;
            q = RotaryEmbedding.Apply(q, embedding, prefixTokens, v);
            k = RotaryEmbedding.Apply(k, embedding, prefixTokens, v);
        }
        return (q, k, v, batch, length, dim);
    }

    private Tensor Heads(Tensor projected, long batch, long length) => projected.reshape(batch, length, numHeads, headDim).transpose(1, 2); // [B, H, N, hd]

    private Tensor Merge(Tensor heads, long batch, long length, long dim)
    {
        var merged = heads.transpose(1, 2).reshape(batch, length, dim);
        if (norm is not null) merged = norm.call(merged);
        return proj_drop.call(proj.call(merged));
    }
}
