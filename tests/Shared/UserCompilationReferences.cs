using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace ShapedVit.Testing;

/// <summary>
/// What a user project compiles against, taken from the running host: the BCL, TorchSharp and the ShapedVit runtime,
/// without the generator (it runs as a generator, not as a reference) and without the host assembly itself.
/// Linked into the test and benchmark projects, which both compile user code with the generator.
/// </summary>
internal static class UserCompilationReferences
{
    public static ImmutableArray<MetadataReference> Load(string hostAssemblyPrefix)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths.Where(p => !Path.GetFileName(p).StartsWith("ShapedVit.Generators", StringComparison.Ordinal)
                             && !Path.GetFileName(p).StartsWith(hostAssemblyPrefix, StringComparison.Ordinal))
                    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                    .ToImmutableArray();
    }
}
