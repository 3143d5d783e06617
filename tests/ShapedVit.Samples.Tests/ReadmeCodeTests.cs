extern alias Generators;

using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ShapedVit.Testing;
using VisionTransformerGenerator = Generators::ShapedVit.Generators.VisionTransformerGenerator;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// Every C# block of the README compiles as the program it is shown as (a console app's Program.cs), with the ShapedVit
/// generator, against ShapedVit, ShapedVit.Vision, ShapedVit.Training and TorchSharp: a reader who copies one gets a build.
/// </summary>
public partial class ReadmeCodeTests
{
    [GeneratedRegex(@"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    public static TheoryData<int, string> Blocks()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")).Replace("\r\n", "\n");
        var data = new TheoryData<int, string>();
        int line = 1, position = 0;
        foreach (Match match in CSharpBlock().Matches(readme))
        {
            line += readme.AsSpan(position, match.Index - position).Count('\n');
            position = match.Index;
            data.Add(line, match.Groups[1].Value);
        }
        return data;
    }

    [Fact]
    public void The_readme_has_its_code_blocks() => Assert.True(Blocks().Count >= 4, $"{Blocks().Count} C# blocks found");

    [Theory]
    [MemberData(nameof(Blocks))]
    public void A_readme_code_block_compiles(int line, string code)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        string usings = "global using System; global using System.Linq; global using System.Collections.Generic; global using System.IO;"; // the SDK's implicit usings
        var compilation = CSharpCompilation.Create($"Readme{line}",
            [CSharpSyntaxTree.ParseText(code, parse, path: $"README.md:{line}"), CSharpSyntaxTree.ParseText(usings, parse)],
            UserCompilationReferences.Load("ShapedVit.Samples.Tests"),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(new VisionTransformerGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var errors = output.GetDiagnostics().Concat(generatorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"README.md block at line {line}:\n{string.Join("\n", errors)}");
    }
}
