using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Data;

/// <summary>
/// timm's <c>Mixup</c> (batch mode): with probability <see cref="Probability"/> a batch is mixed with itself flipped
/// (image b with image B-1-b), by Mixup (Zhang et al., 2018: a blend with weight lambda ~ Beta(alpha, alpha)) or CutMix
/// (Yun et al., 2019: a box of area share 1 - lambda pasted in, lambda then corrected to the box's true area), chosen with
/// probability <see cref="SwitchProbability"/> for CutMix when both are on. Targets become soft: the label-smoothed one-hot
/// rows mixed with the same lambda (timm's <c>mixup_target</c>).
/// </summary>
/// <param name="MixupAlpha">Beta's alpha for Mixup; 0 turns Mixup off (timm's default 0.8 for ViT recipes).</param>
/// <param name="CutMixAlpha">Beta's alpha for CutMix; 0 turns CutMix off (timm's recipes: 1.0).</param>
/// <param name="Probability">Chance that a batch is mixed at all.</param>
/// <param name="SwitchProbability">Chance of CutMix rather than Mixup when both are on.</param>
public sealed record MixupOptions(double MixupAlpha = 0.8, double CutMixAlpha = 1.0, double Probability = 1.0, double SwitchProbability = 0.5)
{
    /// <summary>What is wrong with the numbers, one line each.</summary>
    public IEnumerable<string> Problems()
    {
        if (MixupAlpha < 0 || CutMixAlpha < 0) yield return "mixup and cutmix alphas must not be negative.";
        if (MixupAlpha == 0 && CutMixAlpha == 0) yield return "mixup needs a positive mixup or cutmix alpha.";
        if (Probability is < 0 or > 1 || SwitchProbability is < 0 or > 1) yield return "mixup probabilities must be in [0, 1].";
    }
}

/// <summary>Mixup and CutMix of one batch, with all randomness from a seeded <see cref="Random"/>.</summary>
public static class Mixup
{
    /// <summary>
    /// Label-smoothed one-hot targets [B, classes] (timm's <c>one_hot</c> with <c>off_value = smoothing / classes</c>,
    /// <c>on_value = 1 - smoothing + off_value</c>).
    /// </summary>
    internal static Tensor SmoothedOneHot(Tensor labels, int classes, double smoothing)
    {
        double off = smoothing / classes, on = 1 - smoothing + off;
        using var scope = torch.NewDisposeScope();
        var target = torch.full([labels.shape[0], classes], off, dtype: ScalarType.Float32);
        target.scatter_(1, labels.to(ScalarType.Int64).unsqueeze(1), torch.full([labels.shape[0], 1], on, dtype: ScalarType.Float32));
        return target.MoveToOuterDisposeScope();
    }

    /// <summary>A draw from Beta(alpha, alpha) as X / (X + Y) with X, Y ~ Gamma(alpha, 1) (Marsaglia and Tsang).</summary>
    internal static double Beta(Random rng, double alpha)
    {
        double x = Gamma(rng, alpha), y = Gamma(rng, alpha);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    private static double Gamma(Random rng, double shape)
    {
        if (shape < 1) return Gamma(rng, shape + 1) * Math.Pow(rng.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                x = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>
    /// timm's <c>rand_bbox</c> for a box of area share (1 - lambda): side ratio sqrt(1 - lambda), centre uniform, clipped to
    /// the image. Returns (top, bottom, left, right), end-exclusive.
    /// </summary>
    internal static (int Top, int Bottom, int Left, int Right) Box(int height, int width, double lambda, Random rng)
    {
        double ratio = Math.Sqrt(1 - lambda);
        int cutH = (int)(height * ratio), cutW = (int)(width * ratio);
        int cy = rng.Next(height), cx = rng.Next(width);
        return (Math.Clamp(cy - cutH / 2, 0, height), Math.Clamp(cy + cutH / 2, 0, height),
                Math.Clamp(cx - cutW / 2, 0, width), Math.Clamp(cx + cutW / 2, 0, width));
    }

    /// <summary>
    /// Mixes <paramref name="images"/> [B, C, H, W] in place with their flipped batch and returns the soft targets
    /// [B, classes] and the lambda used (1 when the batch was left unmixed).
    /// </summary>
    public static (Tensor Targets, double Lambda) Apply(Tensor images, Tensor labels, int classes, double smoothing, MixupOptions options, Random rng)
    {
        double lambda = 1;
        bool cutmix = false;
        if (rng.NextDouble() < options.Probability)
        {
            cutmix = options.MixupAlpha == 0 || (options.CutMixAlpha > 0 && rng.NextDouble() < options.SwitchProbability);
            lambda = Beta(rng, cutmix ? options.CutMixAlpha : options.MixupAlpha);
        }
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            if (lambda < 1)
            {
                var flipped = images.flip(0).clone();
                if (cutmix)
                {
                    int h = (int)images.shape[2], w = (int)images.shape[3];
                    var (top, bottom, left, right) = Box(h, w, lambda, rng);
                    if (bottom > top && right > left)
                    {
                        var region = images[.., .., top..bottom, left..right];
                        region.copy_(flipped[.., .., top..bottom, left..right]);
                    }
                    lambda = 1 - (double)(bottom - top) * (right - left) / (h * w);
                }
                else
                {
                    using Scalar keep = lambda, take = 1 - lambda;
                    images.mul_(keep).add_(flipped, alpha: take);
                }
            }
        }
        var oneHot = SmoothedOneHot(labels, classes, smoothing);
        var targets = lambda < 1 ? oneHot * lambda + oneHot.flip(0) * (1 - lambda) : oneHot;
        return (targets.MoveToOuterDisposeScope(), lambda);
    }
}
