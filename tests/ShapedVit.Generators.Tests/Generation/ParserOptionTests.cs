using Microsoft.CodeAnalysis;
using ShapedVit.Generators;
using ShapedVit.Tests.Infrastructure;
using G = ShapedVit.Generators;
using GeneratorSpec = ShapedVit.Generators.VitSpec;

namespace ShapedVit.Tests.Generation;

/// <summary>
/// The parser reads every option of the families' concerns ([VisionTransformer] DistillationToken, [Image] DynamicSize,
/// [Patch] Bias, [PositionEmbedding], [Norm], [Attention], [Mlp] Activation/Gate/InnerNorm, Pooling.AttentionPool) into the
/// spec, with the attributes' defaults where they are not written.
/// </summary>
public class ParserOptionTests
{
    private static (GeneratorSpec Spec, List<Diagnostic> Diagnostics) Parse(string attributes)
    {
        string source = $"using ShapedVit;\nnamespace Models;\n{attributes}\npublic partial class Vit {{ }}\n";
        var compilation = GeneratorHarness.Compile(source);
        var type = compilation.GetTypeByMetadataName("Models.Vit")!;
        var parsed = Parser.Parse(type, compilation, CancellationToken.None)!;
        var diagnostics = GeneratorHarness.Analyze(GeneratorHarness.Run(compilation).Output).Where(d => d.Id.StartsWith("SVIT", StringComparison.Ordinal) && d.Id != "SVIT0013" && d.Id != "SVIT0012").ToList();
        return (parsed.Declaration.Spec, diagnostics);
    }

    private const string Sizes = "[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]";

    [Fact]
    public void Options_left_out_take_the_attributes_defaults()
    {
        var (spec, diagnostics) = Parse("[VisionTransformer(NumClasses = 5)] " + Sizes);
        Assert.Empty(diagnostics);
        Assert.Equal(new GeneratorSpec
        {
            ImageHeight = 32, ImageWidth = 32, PatchHeight = 8, PatchWidth = 8, EmbedDim = 48, Depth = 2, Heads = 4, MlpDim = 96, NumClasses = 5,
        }, spec);
        Assert.False(spec.DistillationToken);
        Assert.False(spec.DynamicImageSize);
        Assert.True(spec.PatchBias);
        Assert.Equal(G.PositionEmbeddingKind.Learned, spec.PositionEmbedding);
        Assert.True(spec.PositionEmbeddingIncludesPrefix);
        Assert.Equal(G.NormKind.LayerNorm, spec.Norm);
        Assert.False(spec.PreNorm);
        Assert.Equal(G.FinalNorm.Auto, spec.FinalNorm);
        Assert.False(spec.QkNorm || spec.SeparateQkv || spec.AttentionInnerNorm || spec.Rotary || spec.MlpInnerNorm);
        Assert.Equal(0, spec.RotaryReferenceGrid);
        Assert.Equal(G.MlpActivation.Gelu, spec.MlpActivation);
        Assert.Equal(G.MlpGate.None, spec.MlpGate);
    }

    [Fact]
    public void Every_new_option_is_read()
    {
        var (spec, _) = Parse("""
            [VisionTransformer(NumClasses = 5, DistillationToken = true, Pooling = Pooling.AttentionPool, ClassToken = true)]
            [Image(28, 35, DynamicSize = true), Patch(7, Bias = false), Embed(48), Depth(2), Heads(4)]
            [Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
            [PositionEmbedding(PositionEmbeddingKind.None, IncludePrefixTokens = false)]
            [Norm(NormKind.RmsNorm, PreNorm = true, FinalNorm = FinalNorm.AfterPooling)]
            [Attention(QkNorm = true, SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 16)]
            """);
        Assert.True(spec.DistillationToken);
        Assert.Equal(G.Pooling.AttentionPool, spec.Pooling);
        Assert.True(spec.DynamicImageSize);
        Assert.Equal((28, 35, 7, 7), (spec.ImageHeight, spec.ImageWidth, spec.PatchHeight, spec.PatchWidth));
        Assert.False(spec.PatchBias);
        Assert.Equal(G.PositionEmbeddingKind.None, spec.PositionEmbedding);
        Assert.False(spec.PositionEmbeddingIncludesPrefix);
        Assert.Equal(G.NormKind.RmsNorm, spec.Norm);
        Assert.True(spec.PreNorm);
        Assert.Equal(G.FinalNorm.AfterPooling, spec.FinalNorm);
        Assert.True(spec.QkNorm && spec.SeparateQkv && spec.AttentionInnerNorm && spec.Rotary);
        Assert.Equal(16, spec.RotaryReferenceGrid);
        Assert.Equal(128, spec.MlpDim);
        Assert.Equal(G.MlpActivation.Silu, spec.MlpActivation);
        Assert.Equal(G.MlpGate.Split, spec.MlpGate);
        Assert.True(spec.MlpInnerNorm);
    }

    [Theory]
    [InlineData("[PositionEmbedding]")]
    [InlineData("[PositionEmbedding()]")]
    [InlineData("[PositionEmbedding(IncludePrefixTokens = false)]")]
    [InlineData("[Norm]")]
    [InlineData("[Norm(PreNorm = true)]")]
    [InlineData("[Norm(FinalNorm = FinalNorm.None)]")]
    [InlineData("[Attention]")]
    [InlineData("[Attention(QkNorm = true)]")]
    public void Option_attributes_without_positional_arguments_are_read(string option)
    {
        var (spec, diagnostics) = Parse("[VisionTransformer(NumClasses = 5)] " + Sizes + " " + option);
        Assert.DoesNotContain(diagnostics, d => d.Id == "SVIT0017");
        Assert.Equal(option.Contains("IncludePrefixTokens") ? false : true, spec.PositionEmbeddingIncludesPrefix);
        Assert.Equal(option.Contains("PreNorm"), spec.PreNorm);
        Assert.Equal(option.Contains("FinalNorm.None") ? G.FinalNorm.None : G.FinalNorm.Auto, spec.FinalNorm);
        Assert.Equal(option.Contains("QkNorm"), spec.QkNorm);
    }

    [Fact]
    public void Named_constructor_arguments_of_the_option_attributes_are_read()
    {
        var (spec, _) = Parse("[VisionTransformer(NumClasses = 5)] " + Sizes + " [PositionEmbedding(kind: PositionEmbeddingKind.None), Norm(kind: NormKind.RmsNorm)]");
        Assert.Equal(G.PositionEmbeddingKind.None, spec.PositionEmbedding);
        Assert.Equal(G.NormKind.RmsNorm, spec.Norm);
    }

    [Theory]
    [InlineData("[Norm(PreNorm = true)]", "[|Norm(NormKind.RmsNorm)|]", "[Norm] is applied more than once to 'Vit' ((PreNorm = true) and (NormKind.RmsNorm)): keep one")]
    [InlineData("[Attention(QkNorm = true)]", "[|Attention(Rotary = true)|]", "[Attention] is applied more than once to 'Vit' ((QkNorm = true) and (Rotary = true)): keep one")]
    [InlineData("[PositionEmbedding]", "[|PositionEmbedding(PositionEmbeddingKind.None)|]", "[PositionEmbedding] is applied more than once to 'Vit' (() and (PositionEmbeddingKind.None)): keep one")]
    public void A_second_option_attribute_is_a_duplicate(string first, string second, string message)
    {
        var (source, span) = Marked($"[VisionTransformer(NumClasses = 5)] {Sizes} {first} [{second}]");
        var diagnostics = Analyze(source);
        var duplicate = Assert.Single(diagnostics);
        Assert.Equal("SVIT0009", duplicate.Id);
        Assert.Equal(message, duplicate.GetMessage());
        Assert.Equal(span, source.Substring(duplicate.Location.SourceSpan.Start, duplicate.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("VisionTransformer(NumClasses = 5, Pooling = [|(Pooling)3|])", "Pooling must be Pooling.ClassToken, Pooling.Mean or Pooling.AttentionPool, but is 3")]
    [InlineData("Mlp(96, Activation = [|(MlpActivation)4|])", "Activation must be one of MlpActivation.Gelu, GeluTanh, QuickGelu, Silu, but is 4")]
    [InlineData("Mlp(96, Gate = [|(MlpGate)(-1)|])", "Gate must be one of MlpGate.None, Packed, Split, but is -1")]
    [InlineData("PositionEmbedding([|(PositionEmbeddingKind)2|])", "PositionEmbedding must be PositionEmbeddingKind.Learned or PositionEmbeddingKind.None, but is 2")]
    [InlineData("Norm([|(NormKind)9|])", "Norm must be NormKind.LayerNorm or NormKind.RmsNorm, but is 9")]
    [InlineData("Norm(FinalNorm = [|(FinalNorm)4|])", "FinalNorm must be one of FinalNorm.Auto, BeforePooling, AfterPooling, None, but is 4")]
    public void An_enum_option_out_of_range_is_SVIT0016_on_its_argument(string attribute, string message)
    {
        string attributes = attribute.StartsWith("VisionTransformer", StringComparison.Ordinal) ? $"[{attribute}] {Sizes}"
                          : attribute.StartsWith("Mlp", StringComparison.Ordinal) ? $"[VisionTransformer(NumClasses = 5)] [Image(32), Patch(8), Embed(48), Depth(2), Heads(4)] [{attribute}]"
                          : $"[VisionTransformer(NumClasses = 5)] {Sizes} [{attribute}]";
        var (source, span) = Marked(attributes);
        var invalid = Assert.Single(Analyze(source));
        Assert.Equal("SVIT0016", invalid.Id);
        Assert.Equal(message, invalid.GetMessage());
        Assert.Equal(span, source.Substring(invalid.Location.SourceSpan.Start, invalid.Location.SourceSpan.Length));
    }

    [Fact]
    public void An_unreadable_option_attribute_is_SVIT0017()
    {
        var (source, span) = Marked($"[VisionTransformer(NumClasses = 5)] {Sizes} [[|Norm(Undefined.Kind, PreNorm = true)|]]");
        var diagnostics = GeneratorHarness.Analyze(GeneratorHarness.Run(source).Output);
        var unreadable = Assert.Single(diagnostics, d => d.Id == "SVIT0017");
        Assert.Equal("The arguments of [Norm] on 'Vit' cannot be read: fix the C# errors in this attribute", unreadable.GetMessage());
        Assert.Equal(span, source.Substring(unreadable.Location.SourceSpan.Start, unreadable.Location.SourceSpan.Length));
    }

    private static (string Source, string Span) Marked(string attributes)
    {
        string marked = $"using ShapedVit;\nnamespace Models;\n{attributes}\npublic partial class Vit {{ }}\n";
        int start = marked.IndexOf("[|", StringComparison.Ordinal), end = marked.IndexOf("|]", StringComparison.Ordinal);
        return (marked.Remove(end, 2).Remove(start, 2), marked.Substring(start + 2, end - start - 2));
    }

    private static List<Diagnostic> Analyze(string source) =>
        GeneratorHarness.Analyze(GeneratorHarness.Run(source).Output).Where(d => d.Id.StartsWith("SVIT", StringComparison.Ordinal) && d.Id != "SVIT0013" && d.Id != "SVIT0012").ToList();
}
