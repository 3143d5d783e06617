using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

/// <summary>One test per diagnostic: its exact message, and its location marked in the source with [| |].</summary>
public class DiagnosticTests
{
    private static void AssertDiagnostic(string markedSource, string id, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
    {
        var (source, span) = Markup(markedSource);
        var diagnostics = GeneratorHarness.Analyze(GeneratorHarness.Run(source).Output).Where(d => d.Id.StartsWith("SVIT", StringComparison.Ordinal)).ToList();
        var matching = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"Expected one {id}, got: {string.Join("\n", diagnostics)}");
        var diagnostic = matching[0];
        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(source.Substring(span.Start, span.Length), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal(span.Start, diagnostic.Location.SourceSpan.Start);
        Assert.Contains($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
    }

    private static (string Source, (int Start, int Length) Span) Markup(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "mark the expected location with [| |]");
        string source = marked.Remove(end, 2).Remove(start, 2);
        return ($"using ShapedVit;\n{source}", (start + "using ShapedVit;\n".Length, end - start - 2));
    }

    [Fact]
    public void SVIT0001_image_not_divisible_by_patch_names_both_numbers_and_the_nearest_sizes() => AssertDiagnostic("""
        [VisionTransformer, Image(225, 224), Patch([|16|]), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0001", "Image height 225 is not divisible by patch height 16: use a patch height that divides 225 (nearest: 15, 9) or an image height that is a multiple of 16 (224, 240)");

    [Fact]
    public void SVIT0001_points_at_the_width_argument_of_a_rectangular_patch() => AssertDiagnostic("""
        [VisionTransformer, Image(224, 200), Patch(16, [|24|]), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0001", "Image width 200 is not divisible by patch width 24: use a patch width that divides 200 (nearest: 25, 20) or an image width that is a multiple of 24 (192, 216)");

    [Fact]
    public void SVIT0002_embed_not_divisible_by_heads_names_valid_head_counts() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads([|10|])]
        public partial class Vit { }
        """, "SVIT0002", "Embed dimension 768 is not divisible by 10 heads: use a head count that divides 768 (nearest: 8, 12, 6)");

    [Fact]
    public void SVIT0003_non_positive_size() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth([|0|]), Heads(12)]
        public partial class Vit { }
        """, "SVIT0003", "Depth must be positive, but is 0");

    [Fact]
    public void SVIT0003_negative_channels_point_at_the_named_argument() => AssertDiagnostic("""
        [VisionTransformer, Image(224, 224, Channels = [|-3|]), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0003", "Image channels must be positive, but is -3");

    [Fact]
    public void SVIT0003_negative_class_count() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = [|-1|]), Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0003", "NumClasses must be zero or positive, but is -1");

    [Fact]
    public void SVIT0004_missing_partial() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public class [|Vit|] { }
        """, "SVIT0004", "'Vit' must be declared partial so ShapedVit can generate its members: add the 'partial' modifier");

    [Fact]
    public void SVIT0005_containing_type_not_partial() => AssertDiagnostic("""
        public class Outer
        {
            [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
            public partial class [|Vit|] { }
        }
        """, "SVIT0005", "'Outer' contains the Vision Transformer 'Vit' and must be declared partial too: add the 'partial' modifier to 'Outer'");

    [Fact]
    public void SVIT0006_generic_class() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class [|Vit|]<T> { }
        """, "SVIT0006", "'Vit' is generic; a Vision Transformer's shapes are fixed at compile time: remove the type parameters");

    [Fact]
    public void SVIT0007_static_class() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public static partial class [|Vit|] { }
        """, "SVIT0007", "'Vit' is static, but a Vision Transformer is a module you create instances of: remove the 'static' modifier");

    [Fact]
    public void SVIT0008_required_attribute_missing_without_preset() => AssertDiagnostic("""
        [[|VisionTransformer|], Image(224), Patch(16), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0008", "'Vit' has no [Embed] attribute and no Preset: add [Embed(768)] or set Preset on [VisionTransformer]");

    [Fact]
    public void SVIT0009_duplicate_attribute() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), [|Patch(32)|], Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0009", "[Patch] is applied more than once to 'Vit' ((16) and (32)): keep one");

    [Fact]
    public void SVIT0010_class_token_pooling_without_class_token() => AssertDiagnostic("""
        [VisionTransformer(ClassToken = [|false|]), Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0010", "Pooling.ClassToken pools the class token, but ClassToken = false: set ClassToken = true or use Pooling = Pooling.Mean");

    [Fact]
    public void SVIT0011_expected_shape_differs_and_both_are_shown() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        [ExpectShape(Stage.Tokens, [|196, 768|])]
        public partial class Vit { }
        """, "SVIT0011", "Expected Tokens shape [196,768], but the proven shape is [197,768] (196 patches + 1 class token): change the expectation to [197,768]");

    [Fact]
    public void SVIT0012_head_dim_not_multiple_of_8_is_a_warning() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(96), Depth(2), Heads([|8|])]
        public partial class Vit { }
        """, "SVIT0012", "Head dimension 12 (96 / 8 heads) is not a multiple of 8, which makes attention kernels slower: consider 4 or 6 heads", DiagnosticSeverity.Warning);

    [Fact]
    public void SVIT0013_reports_the_proven_trace_as_information() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = 1000)]
        [Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
        public partial class [|VitB16|] { }
        """, "SVIT0013", "'VitB16': [224,224,3] -> [196,768] -> [197,768] -> 12 x block [197,768] -> [768] -> [1000]; 86,567,656 parameters, 17.564 GMACs per image", DiagnosticSeverity.Info);

    [Fact]
    public void SVIT0014_record_is_not_supported() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial record [|Vit|] { }
        """, "SVIT0014", "'Vit' is a record; a Vision Transformer must be a non-file-local partial class: declare it as 'partial class'");

    [Fact]
    public void SVIT0015_sizes_beyond_64_bit_arithmetic() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed([|2147483647|]), Depth(12), Heads(1)]
        public partial class Vit { }
        """, "SVIT0015", "Embed dimension is too large (2147483647): the network's sizes must keep every count of elements, parameters and MACs within a 64-bit integer and each size at most 16777216");

    [Fact]
    public void SVIT0016_rates_must_be_probabilities() => AssertDiagnostic("""
        [VisionTransformer(DropPath = [|1.5|]), Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0016", "DropPath must be in [0, 1), but is 1.5");

    [Fact]
    public void SVIT0016_patch_dropout_must_leave_tokens() => AssertDiagnostic("""
        [VisionTransformer(PatchDropout = [|1.0|]), Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0016", "PatchDropout must be in [0, 1), but is 1");

    [Fact]
    public void SVIT0017_unreadable_arguments() => AssertDiagnostic("""
        [VisionTransformer, Image(224), [|Patch("16")|], Embed(768), Depth(12), Heads(12)]
        public partial class Vit { }
        """, "SVIT0017", "The arguments of [Patch] on 'Vit' cannot be read: fix the C# errors in this attribute");

    [Fact]
    public void SVIT0018_logits_of_a_headless_model() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = 0), Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        [ExpectShape([|Stage.Logits|], 1000)]
        public partial class Vit { }
        """, "SVIT0018", "Stage.Logits does not exist: 'Vit' is headless (NumClasses = 0); expect Stage.Pooled instead");

    [Fact]
    public void SVIT0019_user_member_with_a_generated_name() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit
        {
            public const int [|Depth|] = 12;
        }
        """, "SVIT0019", "'Vit' declares 'Depth', which ShapedVit generates for every Vision Transformer: rename or remove it");

    [Fact]
    public void SVIT0019_user_constructor_with_the_generated_signature() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit
        {
            public [|Vit|](long? seed) : base("x") { }
        }
        """, "SVIT0019", "'Vit' declares a constructor taking (long? seed), which ShapedVit generates for every Vision Transformer: rename or remove it");

    [Fact]
    public void SVIT0020_user_base_class() => AssertDiagnostic("""
        public class Backbone { }
        [VisionTransformer, Image(224), Patch(16), Embed(768), Depth(12), Heads(12)]
        public partial class Vit : [|Backbone|], System.IDisposable { public void Dispose() { } }
        """, "SVIT0020", "'Vit' derives from 'Backbone', but a generated Vision Transformer derives from TorchSharp's Module<Tensor, Tensor>: remove the base class (interfaces are fine)");

    [Fact]
    public void A_look_alike_attribute_without_arguments_is_reported_not_crashed_on()
    {
        var run = GeneratorHarness.Run("""
            namespace ShapedVit
            {
                [System.AttributeUsage(System.AttributeTargets.Class)] public sealed class ImageAttribute : System.Attribute { }
                [System.AttributeUsage(System.AttributeTargets.Class)] public sealed class VisionTransformerAttribute : System.Attribute { }
            }
            [ShapedVit.VisionTransformer, ShapedVit.Image]
            public partial class Vit { }
            """);
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Empty(run.GeneratedSources); // arguments that cannot be read: no surface, whose members could change C#'s own errors
        Assert.Contains(GeneratorHarness.Analyze(run.Output), d => d.Id == "SVIT0017");
    }

    [Fact]
    public void User_members_with_other_names_and_interfaces_are_welcome()
    {
        var diagnostics = GeneratorHarness.BuildDiagnostics("""
            using ShapedVit;
            [VisionTransformer(NumClasses = 10), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
            public partial class Vit : ShapedVit.IVisionTransformer
            {
                public const int BlocksToFreeze = 1;
                public Vit() : this(seed: 0) { }
                public string Describe() => ShapeTrace + " " + Depth;
            }
            """);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void The_papers_trace_is_expressible_and_proven_without_errors()
    {
        var diagnostics = GeneratorHarness.BuildDiagnostics("""
            using ShapedVit;
            [VisionTransformer(NumClasses = 1000)]
            [Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
            [ExpectShape(Stage.Image, 224, 224, 3), ExpectShape(Stage.PatchTokens, 196, 768), ExpectShape(Stage.Tokens, 197, 768)]
            [ExpectShape(Stage.Pooled, 768), ExpectShape(Stage.Logits, 1000)]
            public partial class VitB16 { }
            """);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void An_invalid_declaration_generates_only_its_surface_and_reports_every_problem_at_once()
    {
        string source = """
            using ShapedVit;
            [VisionTransformer, Image(225), Patch(16), Embed(100), Depth(0), Heads(3)]
            public partial class Vit { }
            """;
        var run = GeneratorHarness.Run(source);
        var surface = Assert.Single(run.GeneratedSources).Value;
        Assert.Contains("throw DeclarationErrors();", surface);
        Assert.DoesNotContain("RegisterComponents();", surface);
        var ids = GeneratorHarness.Analyze(run.Output).Select(d => d.Id).OrderBy(i => i).ToList();
        Assert.Equal(new[] { "SVIT0003" }, ids); // sizes are checked first: divisibility is meaningless with Depth 0
        var later = GeneratorHarness.Analyze(GeneratorHarness.Run(source.Replace("Depth(0)", "Depth(2)")).Output).Select(d => d.Id).OrderBy(i => i).ToList();
        Assert.Equal(new[] { "SVIT0001", "SVIT0001", "SVIT0002" }, later);
    }

    [Fact]
    public void SVIT0021_primary_constructor_is_reported_on_its_parameter_list() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = 10), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit[|(int classes)|] { }
        """, "SVIT0021", "'Vit' has a primary constructor, but ShapedVit generates the constructor (long? seed) that builds the module: remove the parameter list and keep what it initialises in fields");

    [Fact]
    public void SVIT0016_a_class_count_declared_beside_RuntimeNumClasses() => AssertDiagnostic("""
        [VisionTransformer(RuntimeNumClasses = true, NumClasses = [|10|]), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class Vit { }
        """, "SVIT0016", "NumClasses must be left out with RuntimeNumClasses = true (the class count is then the constructor argument numClasses), but is 10");

    [Fact]
    public void SVIT0018_logits_of_a_run_time_class_count_are_N() => AssertDiagnostic("""
        [VisionTransformer(RuntimeNumClasses = true), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        [ExpectShape([|Stage.Logits|], 10)]
        public partial class Vit { }
        """, "SVIT0018", "Stage.Logits is [N]: 'Vit' takes its class count at run time (RuntimeNumClasses = true); expect Stage.Pooled instead");

    [Fact]
    public void SVIT0013_the_trace_of_a_run_time_class_count_ends_in_N() => AssertDiagnostic("""
        [VisionTransformer(RuntimeNumClasses = true), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
        public partial class [|Vit|] { }
        """, "SVIT0013", "'Vit': [32,32,3] -> [16,64] -> [17,64] -> 2 x block [17,64] -> [64] -> [N]; 113,600 + 65 x N parameters, 0.002 GMACs per image", DiagnosticSeverity.Info);

    [Fact]
    public void SVIT0022_distillation_token_without_class_token() => AssertDiagnostic("""
        [VisionTransformer(DistillationToken = [|true|], ClassToken = false), Image(224), Patch(16), Embed(192), Depth(12), Heads(3)]
        public partial class Vit { }
        """, "SVIT0022", "DistillationToken = true adds DeiT's distillation token after the class token, but ClassToken = false: keep the class token (remove ClassToken = false) or remove DistillationToken");

    [Fact]
    public void SVIT0022_with_mean_pooling_suggests_removing_the_distillation_token_first() => AssertDiagnostic("""
        [VisionTransformer(ClassToken = false, Pooling = Pooling.Mean, DistillationToken = [|true|]), Image(224), Patch(16), Embed(192), Depth(12), Heads(3)]
        public partial class Vit { }
        """, "SVIT0022", "DistillationToken = true adds DeiT's distillation token after the class token, but ClassToken = false: remove DistillationToken or keep the class token");

    [Fact]
    public void SVIT0023_distillation_token_with_attention_pooling() => AssertDiagnostic("""
        [VisionTransformer(DistillationToken = [|true|], Pooling = Pooling.AttentionPool), Image(224), Patch(16), Embed(192), Depth(12), Heads(3)]
        public partial class Vit { }
        """, "SVIT0023", "DistillationToken = true averages the heads of the class and distillation tokens, but Pooling is Pooling.AttentionPool: remove DistillationToken or use Pooling.ClassToken");

    [Fact]
    public void SVIT0024_packed_swiglu_with_an_odd_width() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(1023, Gate = [|MlpGate.Packed|])]
        public partial class Vit { }
        """, "SVIT0024", "MlpGate.Packed chunks the MLP hidden dimension 1023 into two halves, but it is odd: use 1024 or 1022");

    [Fact]
    public void SVIT0025_rotary_embedding_with_a_head_width_not_divisible_by_4() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(32), Attention(Rotary = [|true|])]
        public partial class Vit { }
        """, "SVIT0025", "Rotary = true splits each head into 4 bands (sin and cos of height and width), but head dimension 6 (192 / 32 heads) is not divisible by 4: consider 16 or 24 heads");

    [Fact]
    public void SVIT0026_no_prefix_slots_without_a_position_embedding() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(3)]
        [PositionEmbedding(PositionEmbeddingKind.None, IncludePrefixTokens = [|false|])]
        public partial class Vit { }
        """, "SVIT0026", "IncludePrefixTokens = false has no effect without a position embedding (PositionEmbeddingKind.None): remove it");

    [Fact]
    public void SVIT0026_a_rotary_reference_grid_without_rotary_embedding() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Attention(RotaryReferenceGrid = [|16|])]
        public partial class Vit { }
        """, "SVIT0026", "RotaryReferenceGrid = 16 has no effect without Rotary = true: remove it or set Rotary = true");

    [Fact]
    public void SVIT0026_q_and_v_biases_beside_separate_projections() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Attention(SeparateProjections = true, SeparateQvBias = [|true|])]
        public partial class Vit { }
        """, "SVIT0026", "SeparateQvBias = true has no effect with SeparateProjections = true (q_proj and v_proj have their own biases): remove it");

    [Fact]
    public void SVIT0026_q_and_v_biases_without_a_bias() => AssertDiagnostic("""
        [VisionTransformer(QkvBias = false), Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Attention(SeparateQvBias = [|true|])]
        public partial class Vit { }
        """, "SVIT0026", "SeparateQvBias = true has no effect with QkvBias = false (there is no bias to store as q_bias and v_bias): remove it or set QkvBias = true");

    [Fact]
    public void SVIT0003_a_negative_rotary_reference_grid() => AssertDiagnostic("""
        [VisionTransformer, Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Attention(Rotary = true, RotaryReferenceGrid = [|-2|])]
        public partial class Vit { }
        """, "SVIT0003", "RotaryReferenceGrid must be zero or positive, but is -2");

    [Fact]
    public void SVIT0011_a_dynamic_size_is_compared_at_the_declared_size() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = 0, RegisterTokens = 4, LayerScaleInit = 1e-5)]
        [Image(518, DynamicSize = true), Patch(14), Embed(384), Depth(12), Heads(6), PositionEmbedding(IncludePrefixTokens = false)]
        [ExpectShape(Stage.Tokens, [|1369, 384|])]
        public partial class Vit { }
        """, "SVIT0011", "Expected Tokens shape [1369,384], but the proven shape is [1374,384] ((H/14)(W/14) patches + 1 class token + 4 register tokens (1374 at the declared 518 x 518)): change the expectation to [1374,384]");

    [Fact]
    public void SVIT0013_the_trace_of_a_dynamic_size_is_symbolic() => AssertDiagnostic("""
        [VisionTransformer(NumClasses = 0, RegisterTokens = 4, LayerScaleInit = 1e-5)]
        [Image(518, DynamicSize = true), Patch(14), Embed(384), Depth(12), Heads(6), PositionEmbedding(IncludePrefixTokens = false)]
        [ExpectShape(Stage.Tokens, 1374, 384)]
        public partial class [|Vit|] { }
        """, "SVIT0013", "'Vit': [H,W,3] -> [(H/14)(W/14),384] -> [(H/14)(W/14)+5,384] -> 12 x block [(H/14)(W/14)+5,384] -> [384]; 22,057,344 parameters, 46.883 GMACs per image", DiagnosticSeverity.Info);

    [Fact]
    public void Every_descriptor_has_a_test_here()
    {
        var tested = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("SVIT", StringComparison.Ordinal)).Select(n => n[..8]).ToHashSet();
        var ids = typeof(ShapedVit.Generators.VisionTransformerAnalyzer).Assembly.GetType("ShapedVit.Generators.DiagnosticDescriptors")!
            .GetFields().Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id);
        Assert.All(ids, id => Assert.Contains(id, tested));
    }
}
