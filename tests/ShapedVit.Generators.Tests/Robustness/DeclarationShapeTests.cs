namespace ShapedVit.Tests.Robustness;

/// <summary>
/// Hand-picked declarations: kinds of types, namespaces, broken syntax, duplicated and conflicting attributes, constant
/// expressions. Each states what it deserves: generated and clean, or the ShapedVit errors it must get.
/// </summary>
public class DeclarationShapeTests
{
    private const string Net = "[VisionTransformer(NumClasses = 10), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]";
    private const string Sizes = "[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]";

    /// <summary>Valid: generated, no ShapedVit error, and the build gains no error or warning.</summary>
    private static readonly string[] NoErrors = Array.Empty<string>();

    /// <summary>Name, source, and the ShapedVit errors it must get (empty: it must be valid and generate clean code).
    /// "C#" in the list means the source is broken C#: a compiler error is enough, but generation must add none.</summary>
    private static readonly Dictionary<string, (string Source, string[] Errors)> Cases = new()
    {
        // ---- namespaces ----
        ["global namespace"] = ($"using ShapedVit;\n{Net}\npublic partial class GlobalVit {{ }}", NoErrors),
        ["file-scoped namespace"] = ($"using ShapedVit;\nnamespace A.B;\n{Net}\npartial class Vit {{ }}", NoErrors),
        ["nested block namespaces"] = ($"using ShapedVit;\nnamespace A {{ namespace B.C {{\n{Net}\npartial class Vit {{ }} }} }}", NoErrors),
        ["keyword-named namespace"] = ($"using ShapedVit;\nnamespace @event.@class;\n{Net}\npartial class Vit {{ }}", NoErrors),
        ["keyword-named class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class @class {{ }}", NoErrors),
        ["unicode-named class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Модель\\u0031 {{ }}", NoErrors),

        // ---- kinds of types ----
        ["nested in partial class"] = ($"using ShapedVit;\nnamespace A;\npublic partial class Outer {{ {Net} public partial class Vit {{ }} }}", NoErrors),
        ["nested two deep"] = ($"using ShapedVit;\nnamespace A;\npartial class O1 {{ partial class O2 {{ {Net} partial class Vit {{ }} }} }}", NoErrors),
        ["nested in partial struct"] = ($"using ShapedVit;\nnamespace A;\npartial struct Outer {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in readonly partial struct"] = ($"using ShapedVit;\nnamespace A;\nreadonly partial struct Outer {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in partial record"] = ($"using ShapedVit;\nnamespace A;\npartial record Outer {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in partial record struct"] = ($"using ShapedVit;\nnamespace A;\npartial record struct Outer {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in static partial class"] = ($"using ShapedVit;\nnamespace A;\nstatic partial class Outer {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in partial interface"] = ($"using ShapedVit;\nnamespace A;\npartial interface IOuter {{ {Net} partial class Vit {{ }} }}", NoErrors),
        ["nested in non-partial class"] = ($"using ShapedVit;\nnamespace A;\nclass Outer {{ {Net} partial class Vit {{ }} }}", new[] { "SVIT0005" }),
        ["nested in generic class"] = ($"using ShapedVit;\nnamespace A;\npartial class Outer<T> {{ {Net} partial class Vit {{ }} }}", new[] { "SVIT0014" }),
        ["nested in file-local class"] = ($"using ShapedVit;\nnamespace A;\nfile partial class Outer {{ {Net} partial class Vit {{ }} }}", new[] { "SVIT0014" }),
        ["generic class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit<T> {{ }}", new[] { "SVIT0006" }),
        ["record"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial record Vit {{ }}", new[] { "SVIT0014" }),
        ["record struct"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial record struct Vit {{ }}", new[] { "SVIT0014", "C#" }),
        ["struct"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial struct Vit {{ }}", new[] { "SVIT0014", "C#" }),
        ["interface"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial interface IVit {{ }}", new[] { "SVIT0014", "C#" }),
        ["static class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\nstatic partial class Vit {{ }}", new[] { "SVIT0007" }),
        ["file-local class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\nfile partial class Vit {{ }}", new[] { "SVIT0014" }),
        ["not partial"] = ($"using ShapedVit;\nnamespace A;\n{Net}\nclass Vit {{ }}", new[] { "SVIT0004" }),
        ["abstract class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npublic abstract partial class Vit {{ }}", NoErrors),
        ["sealed class"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npublic sealed partial class Vit {{ }}", NoErrors),
        ["enum"] = ($"using ShapedVit;\nnamespace A;\n[VisionTransformer]\nenum Vit {{ A }}", new[] { "C#" }),

        // ---- broken syntax ----
        ["missing closing brace"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ ", new[] { "C#" }),
        ["missing class name"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class {{ }}", new[] { "C#" }),
        ["missing body"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit", new[] { "C#" }),
        ["empty base list"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit : {{ }}", new[] { "C#" }),
        ["garbage in body"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ ) ] int = ; }}", new[] { "C#" }),
        ["type error in a method"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ void F() {{ int x = \"s\"; }} }}", new[] { "C#" }),
        ["attributes then end of file"] = ($"using ShapedVit;\nnamespace A;\n{Net}", new[] { "C#" }),
        ["unterminated attribute at end of file"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer(NumClasses = ", new[] { "C#" }),
        ["unterminated string in attribute"] = ($"using ShapedVit;\nnamespace A;\n{Sizes}\n[VisionTransformer(NumClasses = \"10)]\npartial class Vit {{ }}", new[] { "C#" }),

        // ---- duplicated and conflicting attributes ----
        ["duplicate Image"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[Image(64)]\npartial class Vit {{ }}", new[] { "SVIT0009" }),
        ["duplicate identical Heads"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[Heads(4)]\npartial class Vit {{ }}", new[] { "SVIT0009" }),
        ["duplicate VisionTransformer"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[VisionTransformer]\npartial class Vit {{ }}", new[] { "C#" }),
        ["VisionTransformer on two parts"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ }}\n[VisionTransformer]\npartial class Vit {{ }}", new[] { "C#" }),
        ["attributes split across parts"] = ($"using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(8)]\npartial class Vit {{ }}\n[Embed(64), Depth(2), Heads(4)]\npartial class Vit {{ }}", NoErrors),
        ["same attribute on two parts"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ }}\n[Depth(3)]\npartial class Vit {{ }}", new[] { "SVIT0009" }),
        ["part without partial"] = ($"using ShapedVit;\nnamespace A;\n{Net}\npartial class Vit {{ }}\nclass Vit {{ }}", new[] { "C#" }),
        ["class-token pooling without class token"] = ($"using ShapedVit;\nnamespace A;\n{Sizes}\n[VisionTransformer(ClassToken = false)]\npartial class Vit {{ }}", new[] { "SVIT0010" }),
        ["preset overridden by attributes"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer(Preset = VitPreset.Base), Image(384), Depth(2)]\npartial class Vit { }", NoErrors),
        ["preset with explicit zero embed"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer(Preset = VitPreset.Base), Embed(0)]\npartial class Vit { }", new[] { "SVIT0003" }),
        ["preset with explicit zero image"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer(Preset = VitPreset.Tiny), Image(0)]\npartial class Vit { }", new[] { "SVIT0003" }),
        ["out-of-range preset"] = ($"using ShapedVit;\nnamespace A;\n{Sizes}\n[VisionTransformer(Preset = (VitPreset)42)]\npartial class Vit {{ }}", new[] { "SVIT0016" }),
        ["NaN dropout"] = ($"using ShapedVit;\nnamespace A;\n{Sizes}\n[VisionTransformer(Dropout = double.NaN)]\npartial class Vit {{ }}", new[] { "SVIT0016" }),

        // ---- constant expressions and named constants ----
        ["named constant in the class"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(Size), Embed(64), Depth(2), Heads(4)]\npartial class Vit { const int Size = 8; }", NoErrors),
        ["constant expression"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(224), Patch(16), Embed(64 * 12), Depth(2), Heads(12)]\npartial class Vit { }", NoErrors),
        ["constants of another class"] = ("using ShapedVit;\nnamespace A;\nstatic class K { public const int Image = 32, Embed = Image * 2; }\n[VisionTransformer, Image(K.Image), Patch(K.Image / 4), Embed(K.Embed), Depth(2), Heads(4)]\npartial class Vit { }", NoErrors),
        ["char, float and cast constants"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer(NumClasses = 'a', LayerNormEps = 1e-6f), Image(32), Patch(8), Embed(64), Depth((int)2.9), Heads(4)]\npartial class Vit { }", NoErrors),
        ["named constructor arguments reversed"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(width: 64, height: 32), Patch(width: 16, height: 8), Embed(64), Depth(2), Heads(4), ExpectShape(Stage.Image, 32, 64, 3)]\npartial class Vit { }", NoErrors),
        ["default as a size"] = ($"using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(8), Embed(default), Depth(2), Heads(4)]\npartial class Vit {{ }}", new[] { "SVIT0003" }),
        ["long argument"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(8), Embed(64), Depth(12L), Heads(4)]\npartial class Vit { }", new[] { "SVIT0017", "C#" }),
        ["non-constant argument"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(8), Embed(nameof(Vit).Length), Depth(2), Heads(4)]\npartial class Vit { }", new[] { "SVIT0017", "C#" }),
        ["overflowing constant"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(8), Embed(64), Depth(int.MaxValue + 1), Heads(4)]\npartial class Vit { }", new[] { "SVIT0017", "C#" }),
        ["undefined constant"] = ("using ShapedVit;\nnamespace A;\n[VisionTransformer, Image(32), Patch(Missing), Embed(64), Depth(2), Heads(4)]\npartial class Vit { }", new[] { "SVIT0017", "C#" }),
        ["null expected dims"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[ExpectShape(Stage.Image, null)]\npartial class Vit {{ }}", new[] { "SVIT0011" }),
        ["no expected dims"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[ExpectShape(Stage.Pooled)]\npartial class Vit {{ }}", new[] { "SVIT0011" }),
        ["out-of-range stage"] = ($"using ShapedVit;\nnamespace A;\n{Net}\n[ExpectShape((Stage)(-3), 1)]\npartial class Vit {{ }}", new[] { "SVIT0018" }),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(name => new object[] { name });

    [Theory, MemberData(nameof(CaseNames))]
    public void Declaration_gets_what_it_deserves(string name)
    {
        var (source, errors) = Cases[name];
        var (outcome, crashes) = RobustnessHarness.RunOne(source);
        Assert.True(crashes.IsEmpty, string.Join("\n", crashes) + "\n" + outcome.Describe());
        Assert.True(outcome.GenerationProblems.IsEmpty, "generation added C# errors or warnings\n" + outcome.Describe());
        var reported = outcome.SvitErrors.Select(d => d.Id).ToHashSet();
        if (errors.Length == 0)
        {
            Assert.True(outcome.Generated && reported.Count == 0 && outcome.InputProblems.IsEmpty, "expected valid and generated\n" + outcome.Describe());
            return;
        }
        var missing = errors.Where(id => id != "C#" && !reported.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"missing {string.Join(", ", missing)}\n{outcome.Describe()}");
        bool compilerError = outcome.InputProblems.Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.True(!errors.Contains("C#") || compilerError, "expected a C# error\n" + outcome.Describe());
        Assert.True(reported.Count > 0 || compilerError, "invalid, but neither ShapedVit nor C# reports it\n" + outcome.Describe());
        // Only a proven network (whose [ExpectShape] lines are wrong) is generated as a working model; otherwise the surface at most.
        Assert.True(!outcome.IsModel || errors.All(e => e is "C#" or "SVIT0011" or "SVIT0018"), "a working model generated despite ShapedVit errors\n" + outcome.Describe());
    }
}
