using Test = ShapedVit.Tests.CodeFixes.CodeFixTest<ShapedVit.CodeFixes.HeadsCodeFix>;

namespace ShapedVit.Tests.CodeFixes;

public class HeadsCodeFixTests
{
    [Fact]
    public Task Heads_become_the_nearest_divisor_of_the_embed_dimension() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(192), Depth(2), Heads({|#0:11|})]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(192), Depth(2), Heads(12)]
        public partial class Vit { }
        """,
        Test.Diagnostic("SVIT0002").WithLocation(0).WithArguments("192", "11", "12, 8, 6"));

    [Fact]
    public Task Fix_all_fixes_every_model_in_the_document_and_keeps_a_named_argument() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(768), Depth(2), Heads(count: {|SVIT0002:10|})]
        public partial class First { }

        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads({|SVIT0002:3|})]
        public partial class Second { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(768), Depth(2), Heads(count: 8)]
        public partial class First { }

        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(2)]
        public partial class Second { }
        """);

    [Fact]
    public Task No_fix_is_offered_when_the_heads_come_from_a_preset()
    {
        const string source = """
            using ShapedVit;
            [VisionTransformer(Preset = VitPreset.Base)]
            [Embed({|SVIT0002:700|})]
            public partial class Vit { }
            """;
        return Test.VerifyFix(source, source);
    }
}
