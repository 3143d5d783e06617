using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Generation;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.CodeFixes;

/// <summary>A fix is judged by the build it leaves: the README's own example must build with zero errors after its first fix.</summary>
public class FixesThatFixTests
{
    [Fact]
    public async Task The_readme_patch_6_offers_one_action_per_candidate_once_for_both_axes_the_one_meeting_every_ExpectShape_first()
    {
        var document = CodeFixApplier.Document(NoCascadeTests.ReadmeProgramWithPatch6, OutputKind.ConsoleApplication);
        var offer = Assert.Single(await CodeFixApplier.Offers(document));
        Assert.Equal(2, offer.Diagnostics.Length); // height and width, both on the argument 6
        Assert.Equal(new[] { "Use [Patch(8)]", "Use [Patch(4)]" }, offer.Actions.Select(a => a.Title));
    }

    [Fact]
    public async Task The_first_fix_of_the_readme_patch_6_leaves_a_build_with_zero_errors()
    {
        var document = CodeFixApplier.Document(NoCascadeTests.ReadmeProgramWithPatch6, OutputKind.ConsoleApplication);
        var offer = Assert.Single(await CodeFixApplier.Offers(document));
        string fixedProgram = await CodeFixApplier.Apply(document, offer.Actions[0]);
        Assert.Contains("Patch(8)", fixedProgram);
        var problems = GeneratorHarness.BuildDiagnostics(NoCascadeTests.App(fixedProgram).Compilation).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_second_candidate_is_offered_and_applied_too()
    {
        var document = CodeFixApplier.Document(NoCascadeTests.ReadmeProgramWithPatch6, OutputKind.ConsoleApplication);
        var offer = Assert.Single(await CodeFixApplier.Offers(document));
        Assert.Contains("Patch(4)", await CodeFixApplier.Apply(document, offer.Actions[1]));
    }

    [Fact]
    public async Task Heads_offers_its_nearest_divisors_in_order()
    {
        var document = CodeFixApplier.Document("""
            using ShapedVit;
            [VisionTransformer(NumClasses = 10), Image(224), Patch(16), Embed(768), Depth(12), Heads(10)]
            public partial class Vit { }
            """);
        var offer = Assert.Single(await CodeFixApplier.Offers(document));
        Assert.Equal(new[] { "Use [Heads(8)]", "Use [Heads(12)]", "Use [Heads(6)]" }, offer.Actions.Select(a => a.Title));
    }
}
