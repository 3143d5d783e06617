using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// A pre-norm transformer encoder block (the paper's Eq. 2-3; timm's <c>Block</c>):
/// x = x + DropPath(LayerScale(Attention(LayerNorm(x)))); x = x + DropPath(LayerScale(Mlp(LayerNorm(x)))).
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys of timm: blocks.{i}.norm1, attn, ls1, norm2, mlp, ls2.
    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly nn.Module<Tensor, Tensor> ls1;
    private readonly DropPath drop_path1;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly nn.Module<Tensor, Tensor> ls2;
    private readonly DropPath drop_path2;

    /// <summary>An encoder block over tokens <paramref name="embedDim"/> wide.</summary>
    /// <param name="embedDim">Token width D.</param>
    /// <param name="numHeads">Attention heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="mlpDim">MLP hidden width.</param>
    /// <param name="qkvBias">Whether the qkv projection has a bias.</param>
    /// <param name="layerScaleInit">Initial LayerScale value; 0 leaves LayerScale out.</param>
    /// <param name="dropout">Dropout probability in the MLP and after the attention projection.</param>
    /// <param name="attentionDropout">Dropout probability on the attention weights.</param>
    /// <param name="dropPath">Stochastic-depth probability of both residual branches.</param>
    /// <param name="layerNormEps">Epsilon of both LayerNorms.</param>
    public EncoderBlock(long embedDim, long numHeads, long mlpDim, bool qkvBias = true, double layerScaleInit = 0,
                        double dropout = 0, double attentionDropout = 0, double dropPath = 0, double layerNormEps = VisionTransformerAttribute.DefaultLayerNormEps)
        : base(nameof(EncoderBlock))
    {
        norm1 = nn.LayerNorm(embedDim, layerNormEps);
        attn = new Attention(embedDim, numHeads, qkvBias, attentionDropout, dropout);
        ls1 = layerScaleInit > 0 ? new LayerScale(embedDim, layerScaleInit) : nn.Identity();
        drop_path1 = new DropPath(dropPath);
        norm2 = nn.LayerNorm(embedDim, layerNormEps);
        mlp = new Mlp(embedDim, mlpDim, dropout);
        ls2 = layerScaleInit > 0 ? new LayerScale(embedDim, layerScaleInit) : nn.Identity();
        drop_path2 = new DropPath(dropPath);
        RegisterComponents();
    }

    /// <summary>The block's self-attention (state_dict key <c>attn</c>).</summary>
    public Attention Attention => attn;

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = tokens.Plus(drop_path1.call(ls1.call(attn.call(norm1.call(tokens)))));
        x = x.Plus(drop_path2.call(ls2.call(mlp.call(norm2.call(x)))));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Like <see cref="forward"/>, also returning this block's attention probabilities [B, H, N, N].</summary>
    public (Tensor Output, Tensor Attention) ForwardWithAttention(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (attended, weights) = attn.ForwardWithWeights(norm1.call(tokens));
        var x = tokens.Plus(drop_path1.call(ls1.call(attended)));
        x = x.Plus(drop_path2.call(ls2.call(mlp.call(norm2.call(x)))));
        return (x.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }
}
