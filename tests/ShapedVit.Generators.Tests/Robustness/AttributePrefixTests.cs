using Xunit.Abstractions;

namespace ShapedVit.Tests.Robustness;

/// <summary>Every prefix of every attribute of a valid declaration, as typed in an editor: with and without its closing bracket.</summary>
public class AttributePrefixTests(ITestOutputHelper output)
{
    private enum Role { Marker, Required, Optional }

    private static readonly (string Text, Role Role)[] Attributes =
    {
        ("VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean, Dropout = 0.1)", Role.Marker),
        ("Image(32, 32, Channels = 3)", Role.Required),
        ("Patch(Size)", Role.Required),
        ("Embed(64 * 2)", Role.Required),
        ("Depth(2)", Role.Required),
        ("Heads(4)", Role.Required),
        ("Mlp(256)", Role.Optional),
        ("ExpectShape(Stage.Tokens, 17, 128)", Role.Optional),
    };

    private static string Declaration(string ns, int broken, string replacement) =>
        $"using ShapedVit;\nnamespace {ns};\n" +
        string.Concat(Attributes.Select((a, i) => (i == broken ? replacement : "[" + a.Text + "]") + "\n")) +
        "public partial class Tiny\n{\n    private const int Size = 8;\n}\n";

    [Fact]
    public void The_complete_declaration_is_valid()
    {
        var (outcome, crashes) = RobustnessHarness.RunOne(Declaration("Prefix.Complete", -1, ""));
        Assert.Empty(crashes);
        Assert.True(outcome.Generated && !outcome.SvitErrors.Any() && outcome.InputProblems.IsEmpty && outcome.GenerationProblems.IsEmpty, outcome.Describe());
    }

    [Fact]
    public void Every_prefix_of_every_attribute_is_reported_or_generates_code_that_compiles()
    {
        var cases = new List<(string Source, int Attribute, int Length, bool Closed)>();
        for (int a = 0; a < Attributes.Length; a++)
            for (int length = 0; length < Attributes[a].Text.Length; length++)
                foreach (bool closed in new[] { true, false })
                {
                    string text = "[" + Attributes[a].Text.Substring(0, length) + (closed ? "]" : "");
                    cases.Add((Declaration($"Prefix.A{a}L{length}{(closed ? "C" : "O")}", a, text), a, length, closed));
                }

        var batch = RobustnessHarness.Run(cases.Select(c => c.Source).ToList());
        Assert.True(batch.Crashes.IsEmpty, string.Join("\n", batch.Crashes));
        var failures = new List<string>();
        foreach (var (c, outcome) in cases.Zip(batch.Cases))
        {
            var (text, role) = Attributes[c.Attribute];
            int nameLength = text.IndexOf('(');
            var problems = new List<string>();
            if (!outcome.GenerationProblems.IsEmpty) problems.Add("generation added C# errors or warnings");
            if (c.Closed)
            {
                // A name cut short is another (unknown) attribute; a full name with cut arguments is ours, unreadable.
                bool valid = role == Role.Marker ? c.Length == nameLength : role == Role.Optional && c.Length < nameLength;
                bool notAModel = role == Role.Marker && c.Length < nameLength;
                bool mustReport = !valid && !notAModel;
                if (mustReport && !outcome.SvitErrors.Any()) problems.Add("no ShapedVit error");
                if (mustReport && outcome.IsModel) problems.Add("a working model generated despite the error");
                if (notAModel && outcome.Generated) problems.Add("generated without [VisionTransformer]");
                if (role == Role.Marker && c.Length == nameLength && (!outcome.IsModel || outcome.SvitErrors.Any())) problems.Add("[VisionTransformer] with defaults is valid");
            }
            if (problems.Count > 0) failures.Add($"{string.Join("; ", problems)}\n{outcome.Describe()}");
        }
        output.WriteLine($"{cases.Count} prefixes, {batch.Cases.Count(c => c.Generated)} generated");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} prefixes failed; the first ones:\n\n" + string.Join("\n\n", failures.Take(5)));
    }
}
