using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

/// <summary>Generated code and the layers call submodules with <c>.call</c>, so forward hooks a user registers fire.</summary>
public class ForwardHookTests
{
    [Fact]
    public void A_forward_hook_registered_on_a_submodule_fires()
    {
        using var model = new SmallVit(seed: 0);
        model.eval();
        var head = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "head").module;
        var block = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "blocks.1").module;
        var mlp = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "blocks.0.mlp").module;
        var seen = new List<string>();
        var headHook = head.register_forward_hook((_, input, output) => { seen.Add($"head {string.Join(",", output.shape)}"); return output; });
        var blockHook = block.register_forward_hook((_, input, output) => { seen.Add($"block {string.Join(",", output.shape)}"); return output; });
        var mlpHook = mlp.register_forward_hook((_, input, output) => { seen.Add($"mlp {string.Join(",", output.shape)}"); return output; });
        using (torch.no_grad())
        using (var images = torch.randn(2, 3, 32, 32))
        using (var logits = model.forward(images)) { }
        Assert.Equal(new[] { "mlp 2,17,64", "block 2,17,64", "head 2,10" }, seen);
        headHook.remove();
        blockHook.remove();
        mlpHook.remove();
    }
}
