using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// SigLIP's multi-head attention pooling (timm's <c>AttentionPoolLatent</c>, the model's <c>attn_pool</c> for
/// <c>global_pool='map'</c>): one learned latent query attends over the tokens, its output is projected and gets a
/// residual MLP on its norm. Keys: <c>latent</c>, <c>q</c>, <c>kv</c>, <c>proj</c>, <c>norm</c>, <c>mlp.fc1</c>, <c>mlp.fc2</c>.
/// </summary>
public sealed class AttentionPoolLatent : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys.
    private readonly Parameter latent;
    private readonly Linear q;
    private readonly Linear kv;
    private readonly Linear proj;
    private readonly Dropout proj_drop;
    private readonly nn.Module<Tensor, Tensor> norm;
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly long numHeads;
    private readonly long headDim;

    /// <summary>An attention pool over tokens <paramref name="embedDim"/> wide, with <paramref name="numHeads"/> heads.</summary>
    /// <param name="embedDim">Token width D (the latent's, the projections' and the output's).</param>
    /// <param name="numHeads">Heads of the latent's attention; must divide <paramref name="embedDim"/>.</param>
    /// <param name="norm">The norm before the MLP (the model's norm layer, D wide).</param>
    /// <param name="mlp">The residual MLP, D -> D (timm's <c>Mlp</c> with the model's activation and MLP ratio).</param>
    /// <param name="dropout">Dropout after the output projection (training only).</param>
    /// <exception cref="ArgumentException"><paramref name="embedDim"/> is not divisible by a positive <paramref name="numHeads"/>.</exception>
    public AttentionPoolLatent(long embedDim, long numHeads, nn.Module<Tensor, Tensor> norm, nn.Module<Tensor, Tensor> mlp, double dropout = 0)
        : base(nameof(AttentionPoolLatent))
    {
        if (numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentException($"Embed dimension {embedDim} is not divisible by {numHeads} heads.", nameof(numHeads));
        ArgumentNullException.ThrowIfNull(norm);
        ArgumentNullException.ThrowIfNull(mlp);
        this.numHeads = numHeads;
        headDim = embedDim / numHeads;
        latent = nn.Parameter(torch.zeros(1, 1, embedDim));
        q = nn.Linear(embedDim, embedDim);
        kv = nn.Linear(embedDim, embedDim * 2);
        proj = nn.Linear(embedDim, embedDim);
        proj_drop = nn.Dropout(dropout);
        this.norm = norm;
        this.mlp = mlp;
        RegisterComponents();
    }

    /// <summary>The learned query [1, 1, D] (state_dict key <c>attn_pool.latent</c>).</summary>
    public Parameter Latent => latent;

    /// <summary>[B, N, D] tokens -> [B, D], the latent query's pooled vector.</summary>
    public override Tensor forward(Tensor tokens) => Pool(tokens, withWeights: false).Pooled;

    /// <summary>Like <see cref="forward"/>, also returning the latent query's attention over the tokens, [B, Heads, N].</summary>
    public (Tensor Pooled, Tensor Weights) ForwardWithAttention(Tensor tokens)
    {
        var (pooled, weights) = Pool(tokens, withWeights: true);
        return (pooled, weights!);
    }

    private (Tensor Pooled, Tensor? Weights) Pool(Tensor tokens, bool withWeights)
    {
        using var scope = NewDisposeScope();
        long batch = tokens.shape[0], length = tokens.shape[1], dim = tokens.shape[2];
        var query = q.call(latent.expand(batch, -1, -1)).reshape(batch, 1, numHeads, headDim).transpose(1, 2); // [B, H, 1, hd]
        var keyValue = kv.call(tokens).reshape(batch, length, 2, numHeads, headDim).permute(2, 0, 3, 1, 4);  // [2, B, H, N, hd]
        Tensor? weights = null;
        Tensor mixed;
        if (withWeights)
        {
            using var scale = (1.0 / Math.Sqrt(headDim)).ToScalar(); // held until the call returns (see Scalars)
            weights = query.matmul(keyValue[0].transpose(-2, -1)).mul_(scale).softmax(-1);        // [B, H, 1, N]
            mixed = weights.matmul(keyValue[1]);
        }
        else mixed = nn.functional.scaled_dot_product_attention(query, keyValue[0], keyValue[1]); // [B, H, 1, hd]
        var x = proj_drop.call(proj.call(mixed.transpose(1, 2).reshape(batch, 1, dim)));              // [B, 1, D]
        x = x.Plus(mlp.call(norm.call(x)));
        var pooled = x.select(1, 0).MoveToOuterDisposeScope();
        return (pooled, weights?.squeeze(2).MoveToOuterDisposeScope());
    }
}
