using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using ShapedVit.Tests.Infrastructure;

namespace ShapedVit.Tests.Generation;

/// <summary>What the surface of a declaration with errors does when it runs: it throws an exception that names the errors.</summary>
public class SurfaceTests
{
    [Fact]
    public void The_surface_of_a_declaration_with_errors_throws_an_exception_naming_them()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(OutputKind.ConsoleApplication, NoCascadeTests.ReadmeProgramWithPatch6.Replace("using var model", "return;\nusing var model")
            .Replace("[VisionTransformer", "public static class Probe { public static object Create() => new TinyVit(seed: 0); public static long Count() => TinyVit.ParameterCount; }\n[VisionTransformer"),
            "global using System;"));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        var context = new AssemblyLoadContext("surface", isCollectible: true);
        try
        {
            var probe = context.LoadFromStream(stream).GetType("Probe")!;
            var create = Assert.Throws<TargetInvocationException>(() => probe.GetMethod("Create")!.Invoke(null, null));
            var error = Assert.IsType<InvalidOperationException>(create.InnerException);
            Assert.StartsWith("'TinyVit' cannot be used: its declaration has ShapedVit errors", error.Message);
            Assert.Contains("SVIT0001: Image height 32 is not divisible by patch height 6", error.Message);
            Assert.Contains("SVIT0001: Image width 32 is not divisible by patch width 6", error.Message);
            var count = Assert.Throws<TargetInvocationException>(() => probe.GetMethod("Count")!.Invoke(null, null));
            Assert.IsType<InvalidOperationException>(count.InnerException);
        }
        finally { context.Unload(); }
    }
}
