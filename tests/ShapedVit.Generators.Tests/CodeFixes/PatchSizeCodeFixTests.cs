using Test = ShapedVit.Tests.CodeFixes.CodeFixTest<ShapedVit.CodeFixes.PatchSizeCodeFix>;

namespace ShapedVit.Tests.CodeFixes;

public class PatchSizeCodeFixTests
{
    [Fact]
    public Task A_square_patch_takes_the_nearest_divisor_of_a_square_image() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224), Patch({|#0:15|}), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224), Patch(14), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """,
        // One diagnostic per axis, both on the one argument; one edit fixes both.
        Test.Diagnostic("SVIT0001").WithLocation(0).WithArguments("height", "224", "15", "14, 16", "210, 225"),
        Test.Diagnostic("SVIT0001").WithLocation(0).WithArguments("width", "224", "15", "14, 16", "210, 225"));

    [Fact]
    public Task A_square_patch_on_a_non_square_image_splits_into_height_and_width() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224, 200), Patch({|SVIT0001:16|}), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224, 200), Patch(16, 20), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """);

    [Fact]
    public Task Named_arguments_keep_their_names_and_only_the_failing_axis_changes() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224), Patch(width: {|SVIT0001:15|}, height: 16), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(224), Patch(width: 14, height: 16), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """);

    [Fact]
    public Task Fix_all_fixes_every_model_in_the_document() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(96, 64), Patch({|SVIT0001:10|}, {|SVIT0001:10|}), Embed(64), Depth(2), Heads(4)]
        public partial class First { }

        [VisionTransformer(NumClasses = 10)]
        [Image(100), Patch({|#0:12|}), Embed(64), Depth(2), Heads(4)]
        public partial class Second { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(96, 64), Patch(8, 8), Embed(64), Depth(2), Heads(4)]
        public partial class First { }

        [VisionTransformer(NumClasses = 10)]
        [Image(100), Patch(10), Embed(64), Depth(2), Heads(4)]
        public partial class Second { }
        """,
        Test.Diagnostic("SVIT0001").WithLocation(0),
        Test.Diagnostic("SVIT0001").WithLocation(0));

    [Fact]
    public Task No_fix_is_offered_when_the_patch_comes_from_a_preset()
    {
        const string source = """
            using ShapedVit;
            [VisionTransformer(Preset = {|#0:VitPreset.Base|})]
            [Image(200)]
            public partial class Vit { }
            """;
        return Test.VerifyFix(source, source, Test.Diagnostic("SVIT0001").WithLocation(0), Test.Diagnostic("SVIT0001").WithLocation(0));
    }
}
