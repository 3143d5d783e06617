using Test = ShapedVit.Tests.CodeFixes.CodeFixTest<ShapedVit.CodeFixes.ExpectShapeCodeFix>;

namespace ShapedVit.Tests.CodeFixes;

public class ExpectShapeCodeFixTests
{
    [Fact]
    public Task The_expected_dimensions_become_the_proven_shape() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer]
        [Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        [ExpectShape(Stage.Tokens, {|#0:196, 768|})]
        public partial class VitB16 { }
        """, """
        using ShapedVit;
        [VisionTransformer]
        [Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        [ExpectShape(Stage.Tokens, 197, 768)]
        public partial class VitB16 { }
        """,
        Test.Diagnostic("SVIT0011").WithLocation(0)
            .WithArguments("Tokens", "[196,768]", "[197,768]", " (196 patches + 1 class token)"));

    [Fact]
    public Task An_array_or_missing_dimensions_and_a_wrong_rank_are_replaced_and_fix_all_fixes_each_expectation() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.Mean)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        [ExpectShape(Stage.Logits, {|SVIT0011:new[] { 1000 }|})]
        [{|SVIT0011:ExpectShape(Stage.Pooled)|}]
        [ExpectShape(stage: Stage.PatchTokens, {|SVIT0011:16|})]
        [ExpectShape(Stage.Tokens, 16, 64)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10, ClassToken = false, Pooling = Pooling.Mean)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        [ExpectShape(Stage.Logits, 10)]
        [ExpectShape(Stage.Pooled, 64)]
        [ExpectShape(stage: Stage.PatchTokens, 16, 64)]
        [ExpectShape(Stage.Tokens, 16, 64)]
        public partial class Vit { }
        """);
}
