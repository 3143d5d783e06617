using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Generation;
using ShapedVit.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

/// <summary>What generated code does when it runs: hooks on submodules fire, and a surface throws a clear exception.</summary>
public class SurfaceAndHookTests
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

    [Fact]
    public void The_surface_of_a_declaration_with_errors_throws_an_exception_naming_them()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(OutputKind.ConsoleApplication, NoCascadeTests.ReadmeProgramWithPatch6.Replace("using var model", "return;\nusing var model")
            .Replace("[VisionTransformer", "public static class Probe { public static object Create() => new TinyVit(seed: 0); public static long Count() => TinyVit.ParameterCount; }\n[VisionTransformer"),
            "global using System;"));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        var context = new AssemblyLoadContext("surface", isCollectible: true);
        try
        {
            var probe = context.LoadFromStream(stream).GetType("Probe")!;
            var create = Assert.Throws<TargetInvocationException>(() => probe.GetMethod("Create")!.Invoke(null, null));
            var error = Assert.IsType<InvalidOperationException>(create.InnerException);
            Assert.StartsWith("'TinyVit' cannot be used: its declaration has ShapedVit errors", error.Message);
            Assert.Contains("SVIT0001: Image height 32 is not divisible by patch height 6", error.Message);
            Assert.Contains("SVIT0001: Image width 32 is not divisible by patch width 6", error.Message);
            var count = Assert.Throws<TargetInvocationException>(() => probe.GetMethod("Count")!.Invoke(null, null));
            Assert.IsType<InvalidOperationException>(count.InnerException);
        }
        finally { context.Unload(); }
    }
}
