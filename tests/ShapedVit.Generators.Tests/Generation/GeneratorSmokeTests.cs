using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

public class GeneratorSmokeTests
{
    [Fact]
    public void A_valid_declaration_generates_one_file_that_compiles_without_warnings()
    {
        var run = GeneratorHarness.Run("""
            using ShapedVit;
            namespace Demo;
            [VisionTransformer(NumClasses = 1000)]
            [Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
            public partial class VitB16 { }
            """);
        Assert.Equal(new[] { "Demo.VitB16.g.cs" }, run.GeneratedSources.Keys);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
