using System.Xml.Linq;
using ShapedVit.CodeFixes;
using ShapedVit.Testing;
using VisionTransformerAnalyzer = ShapedVit.Generators.VisionTransformerAnalyzer;

namespace ShapedVit.Tests.Package;

/// <summary>
/// Fast checks of what the package is made of. The slow end-to-end check (pack, a consumer project outside the
/// repository, a forward pass, an SVIT error) is .ci/package-test.
/// </summary>
public class PackageLayoutTests
{
    private static XDocument RuntimeProject() =>
        XDocument.Load(Path.Combine(RepositoryRoot.Path, "src", "ShapedVit", "ShapedVit.csproj"));

    [Fact]
    public void The_generator_does_not_reference_Workspaces_but_the_code_fixes_do()
    {
        // The compiler loads the generator on every build, where Workspaces does not exist; only the IDE loads the fixes.
        var generatorReferences = typeof(VisionTransformerAnalyzer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Microsoft.CodeAnalysis", generatorReferences);
        Assert.DoesNotContain(generatorReferences, name => name!.StartsWith("Microsoft.CodeAnalysis.Workspaces", StringComparison.Ordinal)
                                                        || name.StartsWith("Microsoft.CodeAnalysis.CSharp.Workspaces", StringComparison.Ordinal));
        var fixReferences = typeof(AddPartialCodeFix).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Microsoft.CodeAnalysis.Workspaces", fixReferences);
    }

    [Fact]
    public void The_code_fixes_assembly_declares_no_analyzer_so_the_compiler_never_loads_it()
    {
        var analyzers = typeof(AddPartialCodeFix).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(inherit: false).Any(a => a.GetType().Name is "DiagnosticAnalyzerAttribute" or "GeneratorAttribute"));
        Assert.Empty(analyzers);
    }

    [Fact]
    public void The_build_transitive_targets_are_named_after_the_package_id_so_NuGet_imports_them()
    {
        var project = RuntimeProject();
        string packageId = project.Descendants("PackageId").Single().Value;
        var packed = project.Descendants("None").Where(n => (string?)n.Attribute("Pack") == "true")
            .Select(n => (string?)n.Attribute("PackagePath")).ToList();
        Assert.Contains($"buildTransitive/{packageId}.targets", packed);
        Assert.Contains("buildTransitive/ElfVersionPatcher.cs", packed);
        // The targets compile the patcher from the file beside them.
        string targets = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "ShapedVit", "buildTransitive", packageId + ".targets"));
        Assert.Contains("$(MSBuildThisFileDirectory)ElfVersionPatcher.cs", targets);
    }

    [Fact]
    public void The_generator_and_code_fixes_are_packed_as_analyzers_and_not_referenced()
    {
        var project = RuntimeProject();
        var analyzerProjects = project.Descendants("ProjectReference").Where(r => (string?)r.Attribute("ShapedVitAnalyzer") == "true").ToList();
        Assert.Equal(new[] { "ShapedVit.CodeFixes.csproj", "ShapedVit.Generators.csproj" },
                     analyzerProjects.Select(r => Path.GetFileName((string)r.Attribute("Include")!)).Order());
        Assert.All(analyzerProjects, r => Assert.Equal("false", (string?)r.Attribute("ReferenceOutputAssembly")));
        Assert.All(analyzerProjects, r => Assert.Equal("all", (string?)r.Attribute("PrivateAssets")));
        Assert.Contains(project.Descendants("TfmSpecificPackageFile"), f => (string?)f.Attribute("PackagePath") == "analyzers/dotnet/cs");
    }

    [Fact]
    public void The_package_test_script_exists_and_is_executable()
    {
        var script = new FileInfo(Path.Combine(RepositoryRoot.Path, ".ci", "package-test"));
        Assert.True(script.Exists);
        Assert.True(script.UnixFileMode.HasFlag(UnixFileMode.UserExecute));
        Assert.StartsWith("#!/usr/bin/env bash", File.ReadAllText(script.FullName));
        Assert.Contains("set -euo pipefail", File.ReadAllText(script.FullName));
    }
}
