using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Generation;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Proof;

/// <summary>
/// A bad option of the families shows its own diagnostic and nothing else: the README program, its model declared so and
/// used from code (constructor, forward, counts), builds with exactly that SVIT error, no C# error and no other SVIT one.
/// </summary>
public class FamilyNoCascadeTests
{
    private const string Declared = "[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]";

    [Theory]
    [InlineData("[VisionTransformer(NumClasses = 10, DistillationToken = true, ClassToken = false)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]", "SVIT0022")]
    [InlineData("[VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.Mean, DistillationToken = true)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]", "SVIT0022")]
    [InlineData("[VisionTransformer(NumClasses = 10, DistillationToken = true, Pooling = Pooling.AttentionPool)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]", "SVIT0023")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(255, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]", "SVIT0024")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(32), Attention(Rotary = true)]", "SVIT0025")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), PositionEmbedding(PositionEmbeddingKind.None, IncludePrefixTokens = false)]", "SVIT0026")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention(RotaryReferenceGrid = 2)]", "SVIT0026")]
    [InlineData("[VisionTransformer(NumClasses = 10, QkvBias = false)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention(SeparateQvBias = true)]", "SVIT0026")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention(Rotary = true, RotaryReferenceGrid = -1)]", "SVIT0003")]
    [InlineData("[VisionTransformer(NumClasses = 10, Pooling = (Pooling)7)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]", "SVIT0016")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Norm((NormKind)3)]", "SVIT0016")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(128, Gate = (MlpGate)9)]", "SVIT0016")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Norm(PreNorm = true), Norm(NormKind.RmsNorm)]", "SVIT0009")]
    [InlineData("[VisionTransformer(NumClasses = 10)]\n[Image(32, DynamicSize = true), Patch(6), Embed(64), Depth(2), Heads(4)]", "SVIT0001,SVIT0001")]
    public void A_bad_option_shows_only_its_own_diagnostic_and_the_code_using_the_model_compiles(string declaration, string ids)
    {
        string program = NoCascadeTests.ReadmeProgram.Replace(Declared, declaration);
        Assert.NotEqual(NoCascadeTests.ReadmeProgram, program);
        program = program.Replace("[ExpectShape(Stage.PatchTokens, 16, 64), ExpectShape(Stage.Tokens, 17, 64), ExpectShape(Stage.Logits, 10)]\n", "");
        var problems = GeneratorHarness.BuildDiagnostics(NoCascadeTests.App(program).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Select(d => d.Id).Order(StringComparer.Ordinal).SequenceEqual(ids.Split(',')), string.Join("\n", problems));
    }

    [Theory]
    [InlineData("[VisionTransformer(NumClasses = 10, DistillationToken = true)]\n[Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4)]")]
    [InlineData("[VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.AttentionPool)]\n[Image(32), Patch(8, Bias = false), Embed(64), Depth(2), Heads(4), Mlp(256, Activation = MlpActivation.GeluTanh), Norm(NormKind.RmsNorm, PreNorm = true), Attention(QkNorm = true, InnerNorm = true)]")]
    [InlineData("[VisionTransformer(NumClasses = 10, RegisterTokens = 4)]\n[Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(170, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true), Attention(SeparateProjections = true, Rotary = true), PositionEmbedding(IncludePrefixTokens = false)]")]
    public void A_valid_family_declaration_builds_clean(string declaration)
    {
        string program = NoCascadeTests.ReadmeProgram.Replace(Declared, declaration)
            .Replace("[ExpectShape(Stage.PatchTokens, 16, 64), ExpectShape(Stage.Tokens, 17, 64), ExpectShape(Stage.Logits, 10)]\n", "");
        var problems = GeneratorHarness.BuildDiagnostics(NoCascadeTests.App(program).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
