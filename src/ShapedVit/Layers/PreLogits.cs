using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>The paper's representation layer before the head: Linear + Tanh (timm's <c>pre_logits.fc</c>; torchvision's <c>heads.pre_logits</c>).</summary>
public sealed class PreLogits : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;
    private readonly Tanh act;

    /// <summary>A Linear from <paramref name="inputDim"/> (D) to <paramref name="representationSize"/> (R), then Tanh.</summary>
    public PreLogits(long inputDim, long representationSize) : base(nameof(PreLogits))
    {
        fc = nn.Linear(inputDim, representationSize);
        act = nn.Tanh();
        RegisterComponents();
    }

    /// <summary>[B, D] -> [B, R].</summary>
    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        return act.call(fc.call(features)).MoveToOuterDisposeScope();
    }
}
