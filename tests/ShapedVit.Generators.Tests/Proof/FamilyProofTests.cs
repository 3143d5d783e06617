using System.Text.Json;
using Microsoft.CodeAnalysis;
using ShapedVit.Generators;
using ShapedVit.Testing;
using ShapedVit.Tests.Infrastructure;
using G = ShapedVit.Generators;

namespace ShapedVit.Tests.Proof;

/// <summary>
/// The proof of the families' options: each reference fixture's declaration (tests/Fixtures/timm/families) is proven with
/// timm's exact parameter count, and the trace shows the prefix tokens, the dynamic size and the pooling.
/// </summary>
public class FamilyProofTests
{
    private const string Sizes = "[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]";
    private const string Eva = "[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4)]";

    /// <summary>Each fixture case and the declaration it maps to (the brief's table).</summary>
    public static readonly Dictionary<string, string> Declarations = new()
    {
        ["vit"] = "[VisionTransformer(NumClasses = 5)] " + Sizes,
        ["vit_token_1ch"] = "[VisionTransformer(NumClasses = 5)] [Image(32, Channels = 1), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]",
        ["vit_gap_reg"] = "[VisionTransformer(NumClasses = 5, ClassToken = false, RegisterTokens = 2, Pooling = Pooling.Mean)] [Image(32, DynamicSize = true), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)] [PositionEmbedding(IncludePrefixTokens = false)]",
        ["deit_distilled"] = "[VisionTransformer(NumClasses = 5, DistillationToken = true)] " + Sizes,
        ["deit3"] = "[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-6)] " + Sizes + " [PositionEmbedding(IncludePrefixTokens = false)]",
        ["clip"] = "[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)] [Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96)] [Norm(PreNorm = true)]",
        ["clip_quickgelu"] = "[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)] [Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.QuickGelu)] [Norm(PreNorm = true)]",
        ["siglip_map"] = "[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.AttentionPool)] [Image(32, DynamicSize = true), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)]",
        ["siglip_gap"] = "[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.Mean)] [Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)] [Norm(FinalNorm = FinalNorm.BeforePooling)]",
        ["dinov2"] = "[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-5)] [Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)]",
        ["dinov2_reg"] = "[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-5, RegisterTokens = 4)] [Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)] [PositionEmbedding(IncludePrefixTokens = false)]",
        ["qknorm_rms"] = "[VisionTransformer(NumClasses = 5, QkvBias = false)] " + Sizes + " [Norm(NormKind.RmsNorm), Attention(QkNorm = true)]",
        ["swiglu_packed"] = "[VisionTransformer(NumClasses = 5)] [Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]",
        ["no_pos_embed"] = "[VisionTransformer(NumClasses = 5)] " + Sizes + " [PositionEmbedding(PositionEmbeddingKind.None)]",
        ["eva02"] = "[VisionTransformer(NumClasses = 5, Pooling = Pooling.Mean)] " + Eva + " [Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)] [Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 2)]",
        ["eva02_clip"] = "[VisionTransformer(NumClasses = 5)] " + Eva + " [Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)] [Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 2)]",
        // timm's Eva without scale_mlp packs its SwiGLU (GluMlp, hidden_features * 2) and keeps its fused qkv with q_bias and v_bias.
        ["eva02_fused"] = "[VisionTransformer(NumClasses = 5, Pooling = Pooling.Mean)] " + Eva + " [Mlp(256, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)] [Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 2)]",
    };

    public static TheoryData<string> Cases => new(Declarations.Keys);

    internal static (VitDeclaration Declaration, List<Diagnostic> Diagnostics) Prove(string attributes, string name = "Vit")
    {
        string source = $"using ShapedVit;\nnamespace Models;\n{attributes}\npublic partial class {name} {{ }}\n";
        var compilation = GeneratorHarness.Compile(source);
        var parsed = Parser.Parse(compilation.GetTypeByMetadataName("Models." + name)!, compilation, CancellationToken.None)!;
        var diagnostics = GeneratorHarness.Analyze(GeneratorHarness.Run(compilation).Output)
            .Where(d => d.Id.StartsWith("SVIT", StringComparison.Ordinal) && d.Id != "SVIT0012" && d.Id != "SVIT0013").ToList();
        return (parsed.Declaration, diagnostics);
    }

    internal static G.VitGeometry Geometry(string attributes)
    {
        var (declaration, diagnostics) = Prove(attributes);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return G.VitGeometry.Create(declaration.Spec);
    }

    [Fact]
    public void Every_fixture_case_has_a_declaration()
    {
        var cases = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "timm", "families"), "*.json")
            .Select(Path.GetFileNameWithoutExtension).Where(n => n is not null).ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.Contains(c!, Declarations.Keys));
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_parameter_count_is_timms(string name)
    {
        string path = Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "timm", "families", name + ".json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        long expected = json.RootElement.GetProperty("parameter_count").GetInt64();
        var geometry = Geometry(Declarations[name]);
        Assert.Equal(expected, geometry.ParameterCount);
        Assert.Equal(json.RootElement.GetProperty("num_prefix_tokens").GetInt64(), geometry.PrefixTokens);
    }

    [Fact]
    public void DINOv2_S14_with_four_registers_traces_its_prefix_tokens()
    {
        var geometry = Geometry("[VisionTransformer(NumClasses = 0, LayerScaleInit = 1e-5, RegisterTokens = 4)] [Image(518), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(1536)] [PositionEmbedding(IncludePrefixTokens = false)]");
        Assert.StartsWith("[518,518,3] -> [1369,384] -> [1374,384] -> 12 x block [1374,384] -> [384]", geometry.Trace);
        Assert.Equal("class token + 4 register tokens + patches + position embedding on the patches", geometry.StepAt(G.Stage.Tokens)!.Note);
        Assert.Equal(1369, geometry.PositionEmbeddingTokens);
        Assert.Equal(22_057_344, geometry.ParameterCount); // timm's vit_small_patch14_reg4_dinov2 (num_classes=0)
    }

    [Fact]
    public void A_dynamic_image_size_is_symbolic_in_the_trace_and_every_width_is_still_proven()
    {
        var geometry = Geometry("[VisionTransformer(NumClasses = 0, LayerScaleInit = 1e-5, RegisterTokens = 4)] [Image(518, DynamicSize = true), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(1536)] [PositionEmbedding(IncludePrefixTokens = false)]");
        Assert.Equal("[H,W,3] -> [(H/14)(W/14),384] -> [(H/14)(W/14)+5,384] -> 12 x block [(H/14)(W/14)+5,384] -> [384]", geometry.Trace);
        Assert.Equal(new long[] { 1374, 384 }, geometry.ShapeAt(G.Stage.Tokens)); // the declared size, what [ExpectShape] is compared with
        Assert.Equal(22_057_344, geometry.ParameterCount);
    }

    [Fact]
    public void The_distillation_token_is_in_the_tokens_row_and_the_heads_are_averaged()
    {
        var geometry = Geometry("[VisionTransformer(NumClasses = 1000, DistillationToken = true)] [Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]");
        Assert.Equal("[224,224,3] -> [196,192] -> [198,192] -> 12 x block [198,192] -> [192] -> [1000]", geometry.Trace);
        var tokens = geometry.StepAt(G.Stage.Tokens)!;
        Assert.Equal("class token + distillation token + patches + position embedding", tokens.Note);
        Assert.Equal("196 patches + 1 class token + 1 distillation token", tokens.Explanation);
        Assert.Equal("mean of class and distillation tokens after LayerNorm", geometry.StepAt(G.Stage.Pooled)!.Note);
        Assert.Equal(5_910_800, geometry.ParameterCount); // timm's deit_tiny_distilled_patch16_224
    }

    [Fact]
    public void MAP_pooling_shows_in_the_pooled_row()
    {
        var geometry = Geometry("[VisionTransformer(NumClasses = 0, ClassToken = false, Pooling = Pooling.AttentionPool)] [Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.GeluTanh)]");
        Assert.Equal("attention pool (MAP) after LayerNorm", geometry.StepAt(G.Stage.Pooled)!.Note);
        Assert.Equal("[224,224,3] -> [196,768] -> [196,768] -> 12 x block [196,768] -> [768]", geometry.Trace);
    }

    [Theory]
    [InlineData("[Norm(FinalNorm = FinalNorm.AfterPooling)]", "class token, LayerNorm")]
    [InlineData("[Norm(NormKind.RmsNorm, FinalNorm = FinalNorm.None)]", "class token, no final norm")]
    [InlineData("[Norm(NormKind.RmsNorm)]", "class token after RMSNorm")]
    public void The_pooled_row_names_the_final_norm(string norm, string note) =>
        Assert.Equal(note, Geometry("[VisionTransformer(NumClasses = 5)] " + Sizes + " " + norm).StepAt(G.Stage.Pooled)!.Note);

    [Theory]
    [InlineData("[Norm(FinalNorm = FinalNorm.None)]", -96)]                          // norm
    [InlineData("[Norm(PreNorm = true)]", 96)]                                       // norm_pre
    [InlineData("[Norm(NormKind.RmsNorm)]", -(2 * 2 * 48 + 48))]                     // every norm loses its bias: 2 per block, final
    [InlineData("[Attention(InnerNorm = true)]", 2 * 96)]                           // attn.norm per block
    [InlineData("[Attention(QkNorm = true)]", 2 * 2 * 24)]                          // q_norm, k_norm of the head width 12 per block
    [InlineData("[Attention(SeparateProjections = true)]", -2 * 48)]                // k_proj has no bias
    [InlineData("[Mlp(96, InnerNorm = true)]", 2 * 192)]                             // mlp.norm of the hidden width per block
    public void Each_option_changes_the_count_by_its_parameters(string option, long delta)
    {
        long baseline = Geometry("[VisionTransformer(NumClasses = 5)] " + Sizes).ParameterCount;
        string attributes = option.StartsWith("[Mlp", StringComparison.Ordinal)
            ? "[VisionTransformer(NumClasses = 5)] [Image(32), Patch(8), Embed(48), Depth(2), Heads(4)] " + option
            : "[VisionTransformer(NumClasses = 5)] " + Sizes + " " + option;
        Assert.Equal(baseline + delta, Geometry(attributes).ParameterCount);
    }

    [Fact]
    public void Macs_count_the_gated_MLPs_and_the_MAP_head()
    {
        long Macs(string attributes) => Geometry(attributes).Macs;
        string head = "[VisionTransformer(NumClasses = 5)] [Image(32), Patch(8), Embed(48), Depth(2), Heads(4)] ";
        long plain = Macs(head + "[Mlp(96)]");
        long n = 17, d = 48;
        // Two blocks: packed fc2 reads half the width; split has a second fc1.
        Assert.Equal(plain - 2 * (n * 48 * d), Macs(head + "[Mlp(96, Gate = MlpGate.Packed)]"));
        Assert.Equal(plain + 2 * (n * d * 96), Macs(head + "[Mlp(96, Gate = MlpGate.Split)]"));
        long map = Macs("[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.AttentionPool)] " + Sizes);
        long mean = Macs("[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.Mean)] " + Sizes);
        long t = 16;
        Assert.Equal(mean + (d * d + t * d * 2 * d + 2 * t * d + d * d + 2 * d * 96), map);
        long distilled = Macs("[VisionTransformer(NumClasses = 5, DistillationToken = true)] " + Sizes);
        Assert.True(distilled > plain); // one more token in every block, and head_dist
    }
}
