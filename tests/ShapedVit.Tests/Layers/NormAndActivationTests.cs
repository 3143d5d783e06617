using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Layers;

/// <summary>The norm and activation factories: timm's formulas, keys, and in-place inference that equals the autograd path.</summary>
public class NormAndActivationTests
{
    private static double MaxDiff(Tensor a, Tensor b) => a.to(float64).sub(b.to(float64)).abs().max().item<double>();

    [Fact]
    public void RmsNorm_is_x_times_rsqrt_of_mean_square_plus_eps_times_weight_with_only_a_weight_key()
    {
        using var scope = NewDisposeScope();
        using var norm = (RmsNorm)Norms.Create(NormKind.RmsNorm, 12, 1e-5);
        Assert.Equal(["weight"], norm.state_dict().Keys);
        using (torch.no_grad()) norm.Weight.copy_(torch.linspace(0.5, 1.5, 12));
        var x = torch.randn(2, 5, 12, generator: new Generator(1));
        var xd = x.to(float64);
        var expected = xd.mul(xd.pow(2).mean([-1], keepdim: true).add(1e-5).rsqrt()).mul(norm.Weight.to(float64));
        Assert.True(MaxDiff(norm.call(x), expected) < 1e-6);
        Assert.Equal(1e-5, norm.Eps);
    }

    [Fact]
    public void The_LayerNorm_kind_is_torch_s_LayerNorm_with_the_given_epsilon()
    {
        using var scope = NewDisposeScope();
        using var norm = Norms.Create(NormKind.LayerNorm, 12, 1e-5);
        var layerNorm = Assert.IsType<TorchSharp.Modules.LayerNorm>(norm);
        Assert.Equal(1e-5, layerNorm.eps);
        Assert.Equal(["weight", "bias"], norm.state_dict().Keys);
    }

    public static TheoryData<MlpActivation> AllActivations => new() { MlpActivation.Gelu, MlpActivation.GeluTanh, MlpActivation.QuickGelu, MlpActivation.Silu };

    private static Tensor Formula(MlpActivation activation, Tensor x) => activation switch
    {
        MlpActivation.Gelu => x.mul(0.5).mul(x.div(Math.Sqrt(2)).erf().add(1)),
        MlpActivation.GeluTanh => x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(Math.Sqrt(2 / Math.PI)).tanh().add(1)),
        MlpActivation.QuickGelu => x.mul(x.mul(1.702).sigmoid()),
        MlpActivation.Silu => x.mul(x.sigmoid()),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    [Theory, MemberData(nameof(AllActivations))]
    public void Each_activation_is_its_formula_and_inference_in_place_equals_the_autograd_path(MlpActivation activation)
    {
        using var scope = NewDisposeScope();
        using var act = Activations.Create(activation);
        Assert.Empty(act.state_dict());
        var x = torch.randn(3, 7, 16, generator: new Generator(2)).mul(3);
        var before = x.clone();
        var withGrad = act.call(x.requires_grad_(true));
        withGrad.sum().backward();
        Assert.True(before.eq(x.detach()).all().item<bool>(), "the activation changed its input with autograd on");
        Assert.True(MaxDiff(withGrad.detach(), Formula(activation, before.to(float64))) < 1e-5);
        Tensor inPlace;
        var copy = before.clone();
        using (torch.inference_mode()) inPlace = act.call(copy);
        Assert.True(inPlace.eq(withGrad.detach()).all().item<bool>(), "in-place inference differs from the autograd path");
    }

    [Fact]
    public void The_activations_are_different_functions()
    {
        using var scope = NewDisposeScope();
        var x = torch.linspace(-3, 3, 61);
        var outputs = Enum.GetValues<MlpActivation>().Select(a => { using var act = Activations.Create(a); return act.call(x.clone()); }).ToArray();
        for (int i = 0; i < outputs.Length; i++)
            for (int j = i + 1; j < outputs.Length; j++)
                Assert.True(MaxDiff(outputs[i], outputs[j]) > 1e-4, $"activations {i} and {j} agree");
    }
}
