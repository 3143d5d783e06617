using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Multi-head self-attention with a fused qkv projection (timm's <c>Attention</c>), computed with
/// scaled_dot_product_attention. Its two projections are <see cref="PackableLinear"/> layers, called with <c>call</c>.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys: attn.qkv, attn.proj.
    private readonly PackableLinear qkv;
    private readonly PackableLinear proj;
    private readonly Dropout proj_drop;
    private readonly long numHeads;
    private readonly long headDim;
    private readonly double attentionDropout;

    /// <summary>Self-attention over tokens <paramref name="embedDim"/> wide, split into <paramref name="numHeads"/> heads.</summary>
    /// <param name="embedDim">Token width D; must be divisible by <paramref name="numHeads"/>.</param>
    /// <param name="numHeads">Number of heads H.</param>
    /// <param name="qkvBias">Whether the qkv projection has a bias.</param>
    /// <param name="attentionDropout">Dropout probability on the attention weights (training only).</param>
    /// <param name="projectionDropout">Dropout probability after the output projection (training only).</param>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not divisible by a positive <paramref name="numHeads"/>.</exception>
    public Attention(long embedDim, long numHeads, bool qkvBias = true, double attentionDropout = 0, double projectionDropout = 0)
        : base(nameof(Attention))
    {
        if (numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentException($"Embed dimension {embedDim} is not divisible by {numHeads} heads.", nameof(numHeads));
        this.numHeads = numHeads;
        headDim = embedDim / numHeads;
        this.attentionDropout = attentionDropout;
        qkv = new PackableLinear(embedDim, embedDim * 3, hasBias: qkvBias);
        proj = new PackableLinear(embedDim, embedDim);
        proj_drop = nn.Dropout(projectionDropout);
        RegisterComponents();
    }

    /// <summary>Number of heads H.</summary>
    public long NumHeads => numHeads;
    /// <summary>Width of one head: D / H.</summary>
    public long HeadDim => headDim;
    /// <summary>The fused query/key/value projection, D -> 3D (state_dict key <c>attn.qkv</c>).</summary>
    public PackableLinear Qkv => qkv;
    /// <summary>The output projection, D -> D (state_dict key <c>attn.proj</c>).</summary>
    public PackableLinear Projection => proj;

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (q, k, v, batch, length, dim) = SplitHeads(tokens);
        var mixed = nn.functional.scaled_dot_product_attention(q, k, v, p: training ? attentionDropout : 0.0); // [B, H, N, hd]
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
        var stacked = qkv.call(tokens).reshape(batch, length, 3, numHeads, headDim).permute(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        return (stacked[0], stacked[1], stacked[2], batch, length, dim);
    }

    private Tensor Merge(Tensor heads, long batch, long length, long dim) =>
        proj_drop.call(proj.call(heads.transpose(1, 2).reshape(batch, length, dim)));
}
