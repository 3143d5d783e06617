using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>Cuts an image into non-overlapping patches and projects each to the embedding width (a strided convolution, timm's <c>patch_embed</c>).</summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys: patch_embed.proj.weight / .bias.
    private readonly Conv2d proj;

    /// <summary>A patch embedding of <paramref name="channels"/>-channel images into tokens <paramref name="embedDim"/> wide.</summary>
    /// <param name="channels">Input image channels C.</param>
    /// <param name="embedDim">Token width D.</param>
    /// <param name="patchHeight">Patch height ph (the convolution's kernel and stride).</param>
    /// <param name="patchWidth">Patch width pw (the convolution's kernel and stride).</param>
    /// <param name="bias">Whether the projection has a bias (<c>patch_embed.proj.bias</c>; CLIP's towers have none).</param>
    public PatchEmbed(long channels, long embedDim, long patchHeight, long patchWidth, bool bias = true) : base(nameof(PatchEmbed))
    {
        proj = nn.Conv2d(channels, embedDim, (patchHeight, patchWidth), stride: (patchHeight, patchWidth), bias: bias);
        RegisterComponents();
    }

    /// <summary>The projection convolution (weight [Embed, C, ph, pw]).</summary>
    public Conv2d Projection => proj;

    /// <summary>[B, C, H, W] -> [B, (H/ph)*(W/pw), Embed], patches in row-major order of the grid.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return proj.call(images).flatten(2).transpose(1, 2).MoveToOuterDisposeScope();
    }
}
