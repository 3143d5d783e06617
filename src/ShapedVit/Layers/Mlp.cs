using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// The transformer MLP: Linear, exact (erf) GELU, Linear (timm's <c>Mlp</c>, keys <c>mlp.fc1</c>, <c>mlp.fc2</c>). In
/// inference the GELU works in place on the hidden activation (<see cref="Gelu"/>). Both Linears are
/// <see cref="PackableLinear"/> layers, called with <c>call</c>.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly PackableLinear fc1;
    private readonly Gelu act;
    private readonly Dropout drop1;
    private readonly PackableLinear fc2;
    private readonly Dropout drop2;

    /// <summary>An MLP from <paramref name="embedDim"/> through <paramref name="hiddenDim"/> back to <paramref name="embedDim"/>.</summary>
    /// <param name="embedDim">Token width D (input and output).</param>
    /// <param name="hiddenDim">Hidden width (typically 4D).</param>
    /// <param name="dropout">Dropout probability after the GELU and after the second Linear (training only).</param>
    public Mlp(long embedDim, long hiddenDim, double dropout = 0) : base(nameof(Mlp))
    {
        fc1 = new PackableLinear(embedDim, hiddenDim);
        act = new Gelu();
        drop1 = nn.Dropout(dropout);
        fc2 = new PackableLinear(hiddenDim, embedDim);
        drop2 = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>[B, N, D] -> [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var hidden = drop1.call(act.call(fc1.call(tokens)));
        return drop2.call(fc2.call(hidden)).MoveToOuterDisposeScope();
    }
}
