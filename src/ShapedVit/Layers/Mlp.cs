using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// The transformer MLP, each variant exactly as timm computes it: Linear, activation, Linear (timm's <c>Mlp</c>, keys
/// <c>mlp.fc1</c>, <c>mlp.fc2</c>); gated with one packed projection (<see cref="MlpGate.Packed"/>, timm's
/// <c>SwiGLUPacked</c>: <c>fc1</c> chunked in two, the activation of the first half times the second, <c>fc2</c> half as
/// wide); or gated with two projections (<see cref="MlpGate.Split"/>, timm's <c>SwiGLU</c>: <c>act(fc1_g(x)) * fc1_x(x)</c>).
/// An optional norm on the hidden activation before <c>fc2</c> (<c>mlp.norm</c>, timm's <c>scale_mlp</c>). In inference the
/// activation works in place on the hidden activation (<see cref="Gelu"/>), and where fc1 runs on oneDNN's CPU path (float32
/// or int8) the exact GELU is fused into fc1's call, unless a forward hook is registered on fc1 or the GELU. Every Linear is
/// a <see cref="PackableLinear"/>, called with <c>call</c>.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict keys, in timm's order.
    private readonly PackableLinear? fc1;
    private readonly PackableLinear? fc1_g;
    private readonly PackableLinear? fc1_x;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly Dropout drop1;
    private readonly nn.Module<Tensor, Tensor>? norm;
    private readonly PackableLinear fc2;
    private readonly Dropout drop2;

    /// <summary>An MLP from <paramref name="embedDim"/> through <paramref name="hiddenDim"/> back to <paramref name="embedDim"/>.</summary>
    /// <param name="embedDim">Token width D (input and output).</param>
    /// <param name="hiddenDim">Hidden width (timm's <c>hidden_features</c>): for <see cref="MlpGate.Packed"/> the width of
    /// <c>fc1</c>, both halves (even), for <see cref="MlpGate.Split"/> the width of each of <c>fc1_g</c> and <c>fc1_x</c>.</param>
    /// <param name="dropout">Dropout probability after the activation and after the second Linear (training only).</param>
    /// <param name="activation">The activation (of the gate's first half, or of <c>fc1_g</c>, when gated).</param>
    /// <param name="gate">None, one packed projection, or two split ones.</param>
    /// <param name="innerNorm">The kind of the norm before <c>fc2</c>, or null for none.</param>
    /// <param name="normEps">That norm's epsilon.</param>
    /// <exception cref="ArgumentException">A packed gate with an odd <paramref name="hiddenDim"/>.</exception>
    public Mlp(long embedDim, long hiddenDim, double dropout = 0, MlpActivation activation = MlpActivation.Gelu, MlpGate gate = MlpGate.None,
               NormKind? innerNorm = null, double normEps = VisionTransformerAttribute.DefaultLayerNormEps)
        : base(nameof(Mlp))
    {
        if (gate == MlpGate.Packed && hiddenDim % 2 != 0)
            throw new ArgumentException($"A packed gate halves the hidden width; {hiddenDim} is odd.", nameof(hiddenDim));
        Gate = gate;
        long inner = gate == MlpGate.Packed ? hiddenDim / 2 : hiddenDim;
        if (gate == MlpGate.Split)
        {
            fc1_g = new PackableLinear(embedDim, hiddenDim);
            fc1_x = new PackableLinear(embedDim, hiddenDim);
        }
        else fc1 = new PackableLinear(embedDim, hiddenDim);
        act = Activations.Create(activation);
        drop1 = nn.Dropout(dropout);
        if (innerNorm is { } kind) norm = Norms.Create(kind, inner, normEps);
        fc2 = new PackableLinear(inner, embedDim);
        drop2 = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>Whether and how the MLP is gated.</summary>
    public MlpGate Gate { get; }

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        Tensor hidden;
        switch (Gate)
        {
            case MlpGate.Packed:
            {
                // timm's GluMlp with gate_last=False: act(first half) * second half.
                var halves = fc1!.call(tokens).chunk(2, -1);
                hidden = act.call(halves[0]).mul(halves[1]);
                break;
            }
            case MlpGate.Split:
            {
                var gated = act.call(fc1_g!.call(tokens));
                var value = fc1_x!.call(tokens);
                hidden = Activations.InPlace(gated) ? gated.mul_(value) : gated.mul(value);
                break;
            }
            default:
                // In inference on oneDNN's path, fc1's bias and the exact GELU run as one call (a post-op of the product):
                // the same numbers, one pass over the hidden activation fewer. Only where no hook on fc1 or the GELU
                // would be skipped by it.
                hidden = act is Gelu { ForwardHookCount: 0 } && fc1!.ForwardHookCount == 0 && fc1.ForwardWithGelu(tokens) is { } fused
                    ? fused
                    : act.call(fc1!.call(tokens));
                break;
        }
        hidden = drop1.call(hidden);
        if (norm is not null) hidden = norm.call(hidden);
        return drop2.call(fc2.call(hidden)).MoveToOuterDisposeScope();
    }
}
