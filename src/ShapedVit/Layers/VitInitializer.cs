using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// timm's ViT initialisation: truncated normal (std 0.02, cut at +-2 std) for Linear weights and for the class, distillation,
/// register and position tokens (an attention pool's latent query: std dim^-0.5), zeros for biases, ones and zeros for LayerNorm, PyTorch's default for the patch convolution.
/// </summary>
/// <remarks>Infrastructure for generated code, hidden from IntelliSense: generated constructors call it; user code is not meant to.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class VitInitializer
{
    /// <summary>The standard deviation of the truncated normal initialisation (timm's 0.02).</summary>
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
                    TruncatedNormal(linear.weight!, Std, generator);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case PackableLinear linear:
                    TruncatedNormal(linear.weight, Std, generator);
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
            if (leaf is "cls_token" or "dist_token" or "reg_token" or "pos_embed")
                TruncatedNormal(parameter, Std, generator);
            else if (leaf is "latent")
                TruncatedNormal(parameter, 1.0 / Math.Sqrt(parameter.shape[^1]), generator); // timm's AttentionPoolLatent: std latent_dim^-0.5
        }
    }

    /// <summary>
    /// Fills a tensor from N(0, std) truncated to [-2 std, 2 std], by inverse-CDF sampling as timm's trunc_normal_ does.
    /// (TorchSharp 0.107's nn.init.trunc_normal_ leaves the tensor at zero, so it is not used.)
    /// </summary>
    public static void TruncatedNormal(Tensor tensor, double std, Generator? generator = null)
    {
        using var noGrad = torch.no_grad();
        double lower = NormalCdf(-2.0), upper = NormalCdf(2.0);
        tensor.uniform_(2 * lower - 1, 2 * upper - 1, generator);
        using Scalar scale = std * Math.Sqrt(2.0), min = -2 * std, max = 2 * std; // held until the calls return (see Scalars)
        tensor.erfinv_().mul_(scale).clamp_(min, max);
    }

    private static double NormalCdf(double x) => 0.5 * (1.0 + Erf(x / Math.Sqrt(2.0)));

    // Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7): only the two truncation bounds are computed with it.
    private static double Erf(double x)
    {
        double sign = Math.Sign(x);
        x = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * x);
        double y = 1.0 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }

    private static void UniformInPlace(Tensor tensor, double bound, Generator? generator) =>
        tensor.uniform_(-bound, bound, generator);
}
