using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ShapedVit.Generators;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

/// <summary>
/// <see cref="Emitter.GeneratedMemberNames"/> is what SVIT0019 checks user members against; it must list exactly the
/// members the emitter writes, over every option that adds a member (patch dropout, register tokens, mean pooling,
/// pre-logits, a head) and the surface of a declaration with errors.
/// </summary>
public class GeneratedMemberNamesTests
{
    private static readonly string[] Declarations =
    {
        "[VisionTransformer(NumClasses = 10, RegisterTokens = 2, PatchDropout = 0.5, RepresentationSize = 32), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]",
        "[VisionTransformer(NumClasses = 0, ClassToken = false, Pooling = Pooling.Mean), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]",
        "[VisionTransformer(NumClasses = 10, PatchDropout = 0.5), Image(32), Patch(6), Embed(64), Depth(2), Heads(4)]", // errors: the surface
        "[VisionTransformer(RuntimeNumClasses = true), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]",             // the class count at run time
        "[VisionTransformer(NumClasses = 10), Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Attention(SeparateProjections = true, Rotary = true)]", // rope
        "[VisionTransformer(RuntimeNumClasses = true), Image(32), Patch(6), Embed(64), Depth(2), Heads(4)]",             // ... with errors
    };

    private static HashSet<string> WrittenMembers()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Declarations.Length; i++)
        {
            var run = GeneratorHarness.Run($"using ShapedVit;\nnamespace M{i};\n{Declarations[i]}\npublic partial class Vit {{ }}");
            var tree = run.Output.SyntaxTrees.Single(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));
            var type = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
            foreach (var member in type.Members)
                switch (member)
                {
                    case FieldDeclarationSyntax field: names.UnionWith(field.Declaration.Variables.Select(v => v.Identifier.ValueText)); break;
                    case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property: names.Add(property.Identifier.ValueText); break;
                    case MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method: names.Add(method.Identifier.ValueText); break;
                    case ConstructorDeclarationSyntax: break; // checked by its (long? seed) signature, not by name
                    case PropertyDeclarationSyntax: break;    // explicit interface implementations take no name of the class
                    case MethodDeclarationSyntax: break;      // (the factories Create and CreateLike)
                    default: throw new InvalidOperationException("unexpected generated member " + member.Kind());
                }
        }
        return names;
    }

    [Fact]
    public void The_list_names_exactly_the_members_the_emitter_writes()
    {
        var written = WrittenMembers();
        Assert.Equal(Emitter.GeneratedMemberNames.Order(StringComparer.Ordinal), written.Order(StringComparer.Ordinal));
    }
}
