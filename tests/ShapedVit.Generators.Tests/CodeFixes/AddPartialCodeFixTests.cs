using Microsoft.CodeAnalysis.Testing;
using ShapedVit.CodeFixes;
using Test = ShapedVit.Tests.CodeFixes.CodeFixTest<ShapedVit.CodeFixes.AddPartialCodeFix>;

namespace ShapedVit.Tests.CodeFixes;

public class AddPartialCodeFixTests
{
    [Fact]
    public Task Adds_partial_after_the_other_modifiers_of_the_class() => Test.VerifyFix("""
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public sealed class {|SVIT0004:TinyVit|} { }
        """, """
        using ShapedVit;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public sealed partial class TinyVit { }
        """);

    [Fact]
    public Task Adds_partial_in_place_of_the_keywords_indentation_when_there_are_no_modifiers() => Test.VerifyFix("""
        using ShapedVit;
        namespace Demo
        {
            [VisionTransformer(NumClasses = 10)]
            [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            class {|SVIT0004:TinyVit|}
            {
            }
        }
        """, """
        using ShapedVit;
        namespace Demo
        {
            [VisionTransformer(NumClasses = 10)]
            [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            partial class TinyVit
            {
            }
        }
        """);

    [Fact]
    public Task Fixes_the_class_and_every_containing_type_and_adds_partial_once_to_a_type_holding_two_models() => Test.VerifyFix("""
        using ShapedVit;
        public static class Outer
        {
            public class Models
            {
                [VisionTransformer(NumClasses = 10)]
                [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
                public class {|SVIT0004:{|SVIT0005:{|SVIT0005:First|}|}|} { }

                [VisionTransformer(NumClasses = 10)]
                [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
                public partial class {|SVIT0005:{|SVIT0005:Second|}|} { }
            }

            [VisionTransformer(NumClasses = 10)]
            [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            internal partial class {|SVIT0005:Third|} { }
        }
        """, """
        using ShapedVit;
        public static partial class Outer
        {
            public partial class Models
            {
                [VisionTransformer(NumClasses = 10)]
                [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
                public partial class First { }

                [VisionTransformer(NumClasses = 10)]
                [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
                public partial class Second { }
            }

            [VisionTransformer(NumClasses = 10)]
            [Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            internal partial class Third { }
        }
        """);

    [Fact]
    public void Fixes_the_two_partial_diagnostics()
    {
        var ids = new AddPartialCodeFix().FixableDiagnosticIds;
        Assert.Equal(new[] { "SVIT0004", "SVIT0005" }, ids.OrderBy(id => id));
    }
}
