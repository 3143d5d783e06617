using Test = ShapedVit.Tests.CodeFixes.CodeFixTest<ShapedVit.CodeFixes.OptionArgumentCodeFix>;

namespace ShapedVit.Tests.CodeFixes;

public class OptionArgumentCodeFixTests
{
    [Fact]
    public Task A_distillation_token_without_a_class_token_keeps_the_class_token() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, DistillationToken = {|SVIT0022:true|}, ClassToken = false)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, DistillationToken = true)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """);

    [Fact]
    public Task A_distillation_token_beside_mean_pooling_without_a_class_token_is_removed() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.Mean, DistillationToken = {|SVIT0022:true|})]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.Mean)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """);

    [Fact]
    public Task A_distillation_token_beside_attention_pooling_is_removed() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, DistillationToken = {|SVIT0023:true|}, Pooling = Pooling.AttentionPool)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, Pooling = Pooling.AttentionPool)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """);

    [Fact]
    public Task An_odd_packed_width_becomes_the_even_width_above() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(255, Activation = MlpActivation.Silu, Gate = {|SVIT0024:MlpGate.Packed|})]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(256, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
        public partial class Vit { }
        """);

    [Fact]
    public Task An_option_without_effect_is_removed_and_an_empty_attribute_loses_its_parentheses() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention(RotaryReferenceGrid = {|SVIT0026:2|})]
        [PositionEmbedding(PositionEmbeddingKind.None, IncludePrefixTokens = {|SVIT0026:false|})]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention]
        [PositionEmbedding(PositionEmbeddingKind.None)]
        public partial class Vit { }
        """);
}
