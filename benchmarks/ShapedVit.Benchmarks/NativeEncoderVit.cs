using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// The baseline: ViT-B/16's patch embedding, class token, position embedding and head around libtorch's own C++
/// TransformerEncoder as TorchSharp exposes it (post-norm, sequence-first [N, B, D]). Same matrix work per image as
/// the generated model.
/// </summary>
public sealed class NativeEncoderVit : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly TransformerEncoder encoder;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public NativeEncoderVit(long patch = 16, long embed = 768, long depth = 12, long heads = 12, long mlp = 3072, long tokens = 197, long classes = 1000)
        : base(nameof(NativeEncoderVit))
    {
        patch_embed = nn.Conv2d(3, embed, patch, stride: patch);
        cls_token = nn.Parameter(torch.randn(1, 1, embed) * 0.02);
        pos_embed = nn.Parameter(torch.randn(tokens, 1, embed) * 0.02);
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(embed, heads, mlp, 0.0, nn.Activations.GELU), depth);
        norm = nn.LayerNorm(embed, 1e-6);
        head = nn.Linear(embed, classes);
        RegisterComponents();
    }

    /// <summary>Images [B,3,H,W] -> logits [B,classes].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var patches = patch_embed.forward(images).flatten(2).permute(2, 0, 1);             // [N-1, B, D]
        long batch = patches.shape[1];
        var tokens = torch.cat(new[] { cls_token.expand(1, batch, -1), patches }, 0).add(pos_embed); // [N, B, D]
        var encoded = encoder.call(tokens);                                                   // [N, B, D]
        return head.forward(norm.forward(encoded[0])).MoveToOuterDisposeScope();              // [B, classes]
    }
}
