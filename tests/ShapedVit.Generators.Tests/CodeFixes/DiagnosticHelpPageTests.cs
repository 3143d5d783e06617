using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using ShapedVit.Testing;
using ShapedVit.Tests.Infrastructure;
using DiagnosticDescriptors = ShapedVit.Generators.DiagnosticDescriptors;

namespace ShapedVit.Tests.CodeFixes;

/// <summary>
/// Every descriptor links to docs/diagnostics/{ID}.md; the page exists, is titled with the ID, states the severity, and
/// its two examples are real: the one under "## Example" reports the ID and the one under "## How to fix" builds clean of it.
/// </summary>
public partial class DiagnosticHelpPageTests
{
    private const string HelpRoot = "https://github.com/ShapedVit/ShapedVit/blob/main/";

    public static TheoryData<string> Ids => new(DiagnosticDescriptors.All.Select(d => d.Id));

    private static DiagnosticDescriptor Descriptor(string id) => DiagnosticDescriptors.All.Single(d => d.Id == id);

    [Fact]
    public void Every_ID_is_described_once_and_numbered_without_gaps()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => $"SVIT{i:0000}"), ids);
    }

    [Fact]
    public void No_page_is_left_without_a_descriptor()
    {
        var pages = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics"), "*.md").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(DiagnosticDescriptors.All.Select(d => d.Id).Order(), pages.Order());
    }

    [Theory, MemberData(nameof(Ids))]
    public void The_help_link_names_an_existing_page_titled_with_the_ID_and_its_severity(string id)
    {
        var descriptor = Descriptor(id);
        Assert.StartsWith(HelpRoot, descriptor.HelpLinkUri);
        string relative = descriptor.HelpLinkUri.Substring(HelpRoot.Length);
        Assert.Equal($"docs/diagnostics/{id}.md", relative);
        string page = File.ReadAllText(Path.Combine(RepositoryRoot.Path, relative));
        Assert.StartsWith($"# {id}: {descriptor.Title}\n", page);
        Assert.Contains($"| {descriptor.DefaultSeverity} | {descriptor.Category} |", page);
    }

    [Theory, MemberData(nameof(Ids))]
    public void The_pages_example_reports_the_ID_and_its_fix_builds_without_it(string id)
    {
        string page = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", id + ".md"));
        var example = GeneratorHarness.BuildDiagnostics(CodeUnder(page, "## Example"));
        Assert.Contains(example, d => d.Id == id && d.Severity == Descriptor(id).DefaultSeverity);
        var fixedCode = GeneratorHarness.BuildDiagnostics(CodeUnder(page, "## How to fix"));
        Assert.DoesNotContain(fixedCode, d => d.Id == id);
        Assert.DoesNotContain(fixedCode, d => d.Severity >= DiagnosticSeverity.Warning);
    }

    /// <summary>Where a page says there is a code fix, its first action on the page's example leaves zero errors (and no warnings).</summary>
    [Theory, MemberData(nameof(Ids))]
    public async Task Every_code_fixs_first_action_on_the_pages_example_leaves_zero_errors(string id)
    {
        string page = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", id + ".md"));
        var document = CodeFixApplier.Document(CodeUnder(page, "## Example"));
        var offers = await CodeFixApplier.Offers(document, id);
        bool documented = page.Contains($"| {Descriptor(id).DefaultSeverity} | {Descriptor(id).Category} | Yes |", StringComparison.Ordinal);
        Assert.Equal(documented, offers.Count > 0);
        foreach (var offer in offers)
        {
            string fixedCode = await CodeFixApplier.Apply(document, offer.Actions[0]);
            var problems = GeneratorHarness.BuildDiagnostics(fixedCode).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, $"{offer.Provider.GetType().Name} '{offer.Actions[0].Title}' left:\n{string.Join("\n", problems)}\n{fixedCode}");
        }
    }

    [Theory, MemberData(nameof(Ids))]
    public void The_usage_guide_lists_the_ID_with_its_severity_title_and_page(string id)
    {
        var descriptor = Descriptor(id);
        string guide = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        Assert.Contains($"| [{id}]({descriptor.HelpLinkUri}) | {descriptor.DefaultSeverity} | {descriptor.Title}", guide);
    }

    /// <summary>The first C# block after a heading.</summary>
    private static string CodeUnder(string page, string heading)
    {
        int start = page.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no '{heading}' section");
        var match = CSharpBlock().Match(page, start);
        Assert.True(match.Success, $"no C# block under '{heading}'");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
