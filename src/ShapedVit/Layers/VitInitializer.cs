using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// timm's ViT initialisation: truncated normal (std 0.02, cut at +-2 std) for Linear weights and for the class, register and
/// position tokens, zeros for biases, ones and zeros for LayerNorm, PyTorch's default for the patch convolution.
/// </summary>
public static class VitInitializer
{
    public const double Std = 0.02;

    /// <summary>Initialises every parameter of <paramref name="model"/>; the same seed gives the same weights.</summary>
    public static void Apply(nn.Module model, long? seed = null)
    {
        using var noGrad = torch.no_grad();
        using var generator = seed is long s ? new Generator((ulong)s) : null;
        foreach (var (name, module) in model.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    nn.init.trunc_normal_(linear.weight!, 0, Std, -2 * Std, 2 * Std, generator);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case LayerNorm norm:
                    if (norm.weight is not null) nn.init.ones_(norm.weight);
                    if (norm.bias is not null) nn.init.zeros_(norm.bias);
                    break;
                case Conv2d conv:
                    // PyTorch's default (kaiming uniform, a = sqrt(5)), re-drawn from the seeded generator.
                    long fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                    double bound = 1.0 / Math.Sqrt(fanIn);
                    UniformInPlace(conv.weight, bound, generator);
                    if (conv.bias is not null) UniformInPlace(conv.bias, bound, generator);
                    break;
            }
        }
        foreach (var (name, parameter) in model.named_parameters())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (leaf is "cls_token" or "reg_token" or "pos_embed")
                nn.init.trunc_normal_(parameter, 0, Std, -2 * Std, 2 * Std, generator);
        }
    }

    private static void UniformInPlace(Tensor tensor, double bound, Generator? generator) =>
        tensor.uniform_(-bound, bound, generator);
}
