using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

/// <summary>The MLP's GELU: in place only when autograd is off, and the same numbers as nn.GELU either way.</summary>
public class GeluTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void With_autograd_off_it_overwrites_its_input_with_exactly_nn_GELU_s_numbers()
    {
        using var scope = NewDisposeScope();
        var input = torch.randn(4, 197, 64, generator: new Generator(3));
        var expected = nn.functional.gelu(input);
        using var gelu = new Gelu();
        using (torch.inference_mode())
        {
            var output = gelu.call(input);
            Assert.True(Same(output, expected));
        }
        Assert.True(Same(input, expected), "in-place GELU differs from nn.GELU");
    }

    [Fact]
    public void With_autograd_on_it_leaves_its_input_alone_and_backward_works()
    {
        using var scope = NewDisposeScope();
        var input = torch.randn(2, 5, 8, generator: new Generator(4)).requires_grad_();
        var before = input.detach().clone();
        using var gelu = new Gelu();
        var output = gelu.call(input);
        output.sum().backward();
        Assert.True(Same(input.detach(), before), "GELU changed its input while autograd was on");
        Assert.True(Same(output.detach(), nn.functional.gelu(before)));
        Assert.NotNull(input.grad);
    }

    [Fact]
    public void An_inference_forward_of_the_mlp_equals_the_training_path_and_keeps_its_input()
    {
        using var scope = NewDisposeScope();
        using var mlp = new Mlp(16, 64);
        mlp.eval();
        var tokens = torch.randn(2, 7, 16, generator: new Generator(5));
        var before = tokens.clone();
        var withGrad = mlp.call(tokens).detach();
        Tensor inInference;
        using (torch.inference_mode()) inInference = mlp.call(tokens).clone();
        Assert.True(Same(tokens, before), "the MLP changed its input");
        Assert.True(Same(inInference, withGrad), "the in-place inference path differs from the autograd path");
    }
}
