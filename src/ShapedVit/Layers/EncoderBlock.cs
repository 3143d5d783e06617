using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// A pre-norm transformer encoder block (the paper's Eq. 2-3; timm's <c>Block</c>, or <c>EvaBlock</c> for EVA-02's options):
/// x = x + DropPath(LayerScale(Attention(Norm(x)))); x = x + DropPath(LayerScale(Mlp(Norm(x)))).
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys of timm: blocks.{i}.norm1, attn, ls1 (EvaBlock: gamma_1), norm2, mlp, ls2 (gamma_2).
    private readonly nn.Module<Tensor, Tensor> norm1;
    private readonly Attention attn;
    private readonly Parameter? gamma_1;
    private readonly nn.Module<Tensor, Tensor> ls1;
    private readonly DropPath drop_path1;
    private readonly nn.Module<Tensor, Tensor> norm2;
    private readonly Mlp mlp;
    private readonly Parameter? gamma_2;
    private readonly nn.Module<Tensor, Tensor> ls2;
    private readonly DropPath drop_path2;

    /// <summary>An encoder block over tokens <paramref name="embedDim"/> wide.</summary>
    /// <param name="embedDim">Token width D.</param>
    /// <param name="numHeads">Attention heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="mlpDim">MLP hidden width (see <see cref="Mlp"/> for the gated MLPs).</param>
    /// <param name="qkvBias">Whether the qkv projection (or the query and value projections) has a bias.</param>
    /// <param name="layerScaleInit">Initial LayerScale value; 0 leaves LayerScale out.</param>
    /// <param name="dropout">Dropout probability in the MLP and after the attention projection.</param>
    /// <param name="attentionDropout">Dropout probability on the attention weights.</param>
    /// <param name="dropPath">Stochastic-depth probability of both residual branches.</param>
    /// <param name="layerNormEps">Epsilon of every norm in the block.</param>
    /// <param name="norm">The kind of every norm in the block (norm1, norm2, q_norm/k_norm, the inner norms).</param>
    /// <param name="qkNorm">A norm over each head's queries and keys.</param>
    /// <param name="separateQkv">EVA-02's separate q_proj, k_proj (no bias), v_proj.</param>
    /// <param name="attentionInnerNorm">A norm on the attention output before its projection (timm's <c>scale_attn_inner</c>).</param>
    /// <param name="rope">The model's rotary embedding (EVA-02), applied to the patch tokens' queries and keys; null for none.</param>
    /// <param name="prefixTokens">Tokens before the patches, which the rotary embedding leaves alone.</param>
    /// <param name="mlpActivation">The MLP's activation.</param>
    /// <param name="mlpGate">Whether and how the MLP is gated.</param>
    /// <param name="mlpInnerNorm">A norm on the MLP's hidden activation before <c>fc2</c> (timm's <c>scale_mlp</c>).</param>
    /// <param name="separateQvBias">EVA's fused qkv with its bias kept as <c>q_bias</c> and <c>v_bias</c> (EVA-02 Tiny/Small).</param>
    /// <remarks>
    /// With separate projections, separate query/value biases or a rotary embedding the block is timm's <c>EvaBlock</c>, whose LayerScale is two
    /// parameters of the block, <c>gamma_1</c> and <c>gamma_2</c>, instead of <c>ls1.gamma</c> and <c>ls2.gamma</c>.
    /// </remarks>
    public EncoderBlock(long embedDim, long numHeads, long mlpDim, bool qkvBias = true, double layerScaleInit = 0,
                        double dropout = 0, double attentionDropout = 0, double dropPath = 0, double layerNormEps = VisionTransformerAttribute.DefaultLayerNormEps,
                        NormKind norm = NormKind.LayerNorm, bool qkNorm = false, bool separateQkv = false, bool attentionInnerNorm = false,
                        RotaryEmbedding? rope = null, long prefixTokens = 0,
                        MlpActivation mlpActivation = MlpActivation.Gelu, MlpGate mlpGate = MlpGate.None, bool mlpInnerNorm = false,
                        bool separateQvBias = false)
        : base(nameof(EncoderBlock))
    {
        bool eva = separateQkv || separateQvBias || rope is not null;
        norm1 = Norms.Create(norm, embedDim, layerNormEps);
        attn = new Attention(embedDim, numHeads, qkvBias, attentionDropout, dropout, norm, layerNormEps,
                             qkNorm: qkNorm, separateQkv: separateQkv, innerNorm: attentionInnerNorm, rope: rope, prefixTokens: prefixTokens,
                             separateQvBias: separateQvBias);
        bool layerScale = layerScaleInit > 0;
        if (layerScale && eva)
        {
            using Scalar value = layerScaleInit; // held until the calls return (see Scalars)
            gamma_1 = nn.Parameter(torch.full(embedDim, value));
            gamma_2 = nn.Parameter(torch.full(embedDim, value));
        }
        ls1 = layerScale && !eva ? new LayerScale(embedDim, layerScaleInit) : nn.Identity();
        drop_path1 = new DropPath(dropPath);
        norm2 = Norms.Create(norm, embedDim, layerNormEps);
        mlp = new Mlp(embedDim, mlpDim, dropout, mlpActivation, mlpGate, mlpInnerNorm ? norm : null, layerNormEps);
        ls2 = layerScale && !eva ? new LayerScale(embedDim, layerScaleInit) : nn.Identity();
        drop_path2 = new DropPath(dropPath);
        RegisterComponents();
    }

    /// <summary>The block's self-attention (state_dict key <c>attn</c>).</summary>
    public Attention Attention => attn;

    /// <summary>The block's MLP (state_dict key <c>mlp</c>).</summary>
    public Mlp Mlp => mlp;

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = tokens.Plus(drop_path1.call(Scale1(attn.call(norm1.call(tokens)))));
        x = x.Plus(drop_path2.call(Scale2(mlp.call(norm2.call(x)))));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Like <see cref="forward"/>, also returning this block's attention probabilities [B, H, N, N].</summary>
    public (Tensor Output, Tensor Attention) ForwardWithAttention(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (attended, weights) = attn.ForwardWithWeights(norm1.call(tokens));
        var x = tokens.Plus(drop_path1.call(Scale1(attended)));
        x = x.Plus(drop_path2.call(Scale2(mlp.call(norm2.call(x)))));
        return (x.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    private Tensor Scale1(Tensor branch) => gamma_1 is null ? ls1.call(branch) : branch.mul(gamma_1);
    private Tensor Scale2(Tensor branch) => gamma_2 is null ? ls2.call(branch) : branch.mul(gamma_2);
}
