using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

/// <summary>The generated code of the paper's models and of each option, reviewed once and kept as snapshots.</summary>
public class SnapshotTests
{
    public static readonly IReadOnlyDictionary<string, string> Declarations = new Dictionary<string, string>
    {
        ["VitTi16"] = "[VisionTransformer(Preset = VitPreset.Tiny)]",
        ["VitS16"] = "[VisionTransformer(Preset = VitPreset.Small)]",
        ["VitB16"] = """
            [VisionTransformer(NumClasses = 1000)]
            [Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
            [ExpectShape(Stage.Image, 224, 224, 3), ExpectShape(Stage.PatchTokens, 196, 768), ExpectShape(Stage.Tokens, 197, 768)]
            """,
        ["VitB32"] = "[VisionTransformer(Preset = VitPreset.Base), Patch(32)]",
        ["VitL16"] = "[VisionTransformer(Preset = VitPreset.Large)]",
        ["VitH14"] = "[VisionTransformer(Preset = VitPreset.Huge), Patch(14)]",
        ["TutorialVit"] = """
            [VisionTransformer(NumClasses = 10)]
            [Image(256), Patch(32), Embed(1024), Depth(6), Heads(8), Mlp(2048)]
            """,
        ["NonSquareVit"] = "[VisionTransformer(NumClasses = 5), Image(96, 160), Patch(16, 32), Embed(192), Depth(2), Heads(3)]",
        ["GrayscaleVit"] = "[VisionTransformer(NumClasses = 10), Image(28, 28, Channels = 1), Patch(7), Embed(64), Depth(4), Heads(4), Mlp(128)]",
        ["RegisterVit"] = "[VisionTransformer(NumClasses = 100, RegisterTokens = 4, LayerScaleInit = 1e-5, DropPath = 0.1), Image(64), Patch(8), Embed(128), Depth(4), Heads(4)]",
        ["MeanPoolVit"] = "[VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false), Image(32), Patch(4), Embed(96), Depth(3), Heads(3)]",
        ["PatchDropVit"] = "[VisionTransformer(NumClasses = 10, RegisterTokens = 1, PatchDropout = 0.5), Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(2), Heads(2), Mlp(128)]",
        ["FolderVit"] = "[VisionTransformer(RuntimeNumClasses = true), Image(64), Patch(16), Embed(96), Depth(2), Heads(3)]",
        ["HeadlessVit"] = "[VisionTransformer(NumClasses = 0, RepresentationSize = 256), Image(224), Patch(16), Embed(384), Depth(2), Heads(6)]",
        // One declaration per family of timm's (#24); re-accepted as the emitter learns each option.
        ["GapRegVit"] = "[VisionTransformer(NumClasses = 10, ClassToken = false, RegisterTokens = 2, Pooling = Pooling.Mean), Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4), PositionEmbedding(IncludePrefixTokens = false)]",
        ["DeitDistilledVit"] = "[VisionTransformer(NumClasses = 10, DistillationToken = true), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]",
        ["ClipVit"] = "[VisionTransformer(NumClasses = 0, LayerNormEps = 1e-5), Image(32), Patch(8, Bias = false), Embed(64), Depth(2), Heads(4), Mlp(256, Activation = MlpActivation.QuickGelu), Norm(PreNorm = true)]",
        ["SiglipMapVit"] = "[VisionTransformer(NumClasses = 0, ClassToken = false, Pooling = Pooling.AttentionPool), Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(256, Activation = MlpActivation.GeluTanh)]",
        ["Dinov2RegVit"] = "[VisionTransformer(NumClasses = 0, LayerScaleInit = 1e-5, RegisterTokens = 4), Image(28, DynamicSize = true), Patch(7), Embed(64), Depth(2), Heads(4), PositionEmbedding(IncludePrefixTokens = false)]",
        ["Eva02Vit"] = "[VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean), Image(28, DynamicSize = true), Patch(7), Embed(64), Depth(2), Heads(4), Mlp(170, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true), Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 2)]",
    };

    public static TheoryData<string> Names => new(Declarations.Keys);

    public static string Source(string name) => $$"""
        using ShapedVit;

        namespace Models;

        {{Declarations[name]}}
        public partial class {{name}} { }
        """;

    [Theory, MemberData(nameof(Names))]
    public void Generated_code_matches_the_reviewed_snapshot(string name)
    {
        var run = GeneratorHarness.Run(Source(name));
        var file = Assert.Single(run.GeneratedSources);
        Assert.Equal($"Models.{name}.g.cs", file.Key);
        Snapshot.Verify(file.Value, name, "cs");
    }

    [Theory, MemberData(nameof(Names))]
    public void Generated_code_compiles_with_zero_warnings(string name)
    {
        var run = GeneratorHarness.Run(Source(name));
        var problems = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Empty(run.GeneratorDiagnostics);
    }
}
