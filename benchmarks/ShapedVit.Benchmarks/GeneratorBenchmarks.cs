extern alias Generators;

using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using VisionTransformerGenerator = Generators::ShapedVit.Generators.VisionTransformerGenerator;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Item 7: the source generator under CSharpGeneratorDriver, as the IDE runs it: a cold run (fresh driver, fresh
/// compilation) and incremental runs after a one-file edit, with 1, 10 and 100 model declarations.
/// </summary>
public static class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() => ShapedVit.Testing.UserCompilationReferences.Load("ShapedVit.Benchmarks"));

    /// <summary>A model declaration; <paramref name="depth"/> and <paramref name="body"/> vary between edits.</summary>
    private static string ModelSource(int index, int depth = 2, int body = 0) => $$"""
        using ShapedVit;
        namespace Models;
        [VisionTransformer(NumClasses = 10)]
        [Image(32), Patch(8), Embed(64), Depth({{depth}}), Heads(4)]
        public partial class Model{{index}}
        {
            public int UserMember() => {{body}};
        }
        """;

    private static SyntaxTree Parse(string text, int index) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Model{index}.cs");

    private static CSharpCompilation Compilation(int models) => CSharpCompilation.Create(
        "UserModels",
        Enumerable.Range(0, models).Select(i => Parse(ModelSource(i), i)),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static GeneratorDriver Driver(IIncrementalGenerator? generator = null) => CSharpGeneratorDriver.Create(
        new[] { (generator ?? new VisionTransformerGenerator()).AsSourceGenerator() }, parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: Environment.GetEnvironmentVariable("SHAPEDVIT_BENCH_TRACK_STEPS") == "1"));

    private sealed record DriverRun(double Milliseconds, long AllocatedBytes);

    private static DriverRun Time(Func<GeneratorDriver> action, out GeneratorDriver driver)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        driver = action();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return new DriverRun(ms, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    public static void Run(Report report, Options options)
    {
        var rows = new List<string[]>();
        // The very first run pays Roslyn's and the generator's JIT: reported on its own, then excluded from the medians.
        var first = Time(() => Driver().RunGenerators(Compilation(1)), out _);
        rows.Add(new[] { "1", "first run in the process (JIT)", Harness.Format(first.Milliseconds), Kib(first.AllocatedBytes), "1" });
        // Enough runs for tiered JIT to reach optimised code: with 20 the medians were 3-5x higher (tier-0 code), as the IDE only sees after a minute.
        int repetitions = Math.Max(100, options.Repetitions * 20);
        foreach (int models in new[] { 1, 10, 100 })
        {
            var cold = new List<DriverRun>();
            GeneratorDriver driver = null!;
            CSharpCompilation compilation = null!;
            for (int i = 0; i < repetitions; i++)
            {
                compilation = Compilation(models); // fresh: nothing bound yet, as after opening the solution
                cold.Add(Time(() => Driver().RunGenerators(compilation), out driver));
            }
            int generated = driver.GetRunResult().GeneratedTrees.Length;
            if (generated != models) throw new InvalidOperationException($"Expected {models} generated files, got {generated}.");
            rows.Add(Row(models, "cold (fresh driver and compilation)", cold, generated));

            // Typing in a model's body: the declaration is re-parsed, the equal model is not re-emitted.
            var bodyEdits = Edits(ref driver, ref compilation, repetitions, (i, edit) => ModelSource(i, depth: 2, body: edit));
            rows.Add(Row(models, "incremental: edit a model's body", bodyEdits, generated));
            // Changing an attribute: one model is re-parsed and re-emitted.
            var attributeEdits = Edits(ref driver, ref compilation, repetitions, (i, edit) => ModelSource(i, depth: 2 + edit % 2 + 1, body: edit));
            rows.Add(Row(models, "incremental: change Depth of one model", attributeEdits, generated));
            Console.Error.WriteLine($"  generator {models} model(s): cold {Harness.Format(Median(cold))} ms, body edit {Harness.Format(Median(bodyEdits))} ms, attribute edit {Harness.Format(Median(attributeEdits))} ms");
        }
        // Roslyn's floor for the same edits: the same discovery, a transform that only binds the attributes, no output.
        foreach (int models in new[] { 100 })
        {
            var compilation = Compilation(models);
            var baseline = new AttributeReadingOnlyGenerator();
            var driver = Driver(baseline).RunGenerators(compilation);
            var bodyEdits = Edits(ref driver, ref compilation, repetitions, (i, edit) => ModelSource(i, depth: 2, body: edit));
            rows.Add(Row(models, "floor: discovery + GetAttributes() only, body edit", bodyEdits, 0));
            var attributeEdits = Edits(ref driver, ref compilation, repetitions, (i, edit) => ModelSource(i, depth: 2 + edit % 2 + 1, body: edit));
            rows.Add(Row(models, "floor: discovery + GetAttributes() only, Depth edit", attributeEdits, 0));
            Console.Error.WriteLine($"  floor {models} model(s): body edit {Harness.Format(Median(bodyEdits))} ms, attribute edit {Harness.Format(Median(attributeEdits))} ms");
        }

        report.Heading("Source generator (CSharpGeneratorDriver, medians)");
        report.Table(new[] { "models", "run", "median ms", "median allocated KiB", "generated files" }, rows);
        report.Line("");
        report.Line("Target: an incremental edit with 100 models under 5 ms.");
    }

    private static List<DriverRun> Edits(ref GeneratorDriver driver, ref CSharpCompilation compilation, int repetitions, Func<int, int, string> source)
    {
        var runs = new List<DriverRun>();
        for (int edit = 1; edit <= repetitions; edit++)
        {
            int target = compilation.SyntaxTrees.Count() / 2; // a model in the middle
            var old = compilation.SyntaxTrees.ElementAt(target);
            compilation = compilation.ReplaceSyntaxTree(old, Parse(source(target, edit), target)); // parsing is the editor's cost, not the generator's
            var current = compilation;
            var previous = driver;
            runs.Add(Time(() => previous.RunGenerators(current), out driver));
            if (Environment.GetEnvironmentVariable("SHAPEDVIT_BENCH_TRACK_STEPS") == "1") // diagnosis: where an incremental run spends its time
            {
                var result = driver.GetRunResult().Results[0];
                Console.Error.WriteLine($"    total {runs[^1].Milliseconds:F1} ms; " + string.Join("; ", result.TrackedSteps.Select(kv => $"{kv.Key}: {kv.Value.Sum(st => st.ElapsedTime.TotalMilliseconds):F2} ms x{kv.Value.Length} ({string.Join(",", kv.Value.SelectMany(st => st.Outputs).GroupBy(o => o.Reason).Select(g => g.Key + "=" + g.Count()))})")));
            }
        }
        return runs;
    }

    /// <summary>
    /// What any attribute-driven generator pays on an edit: ForAttributeWithMetadataName on the same attribute and a transform
    /// that binds the class's attributes (a new compilation has new symbols, so every declaration's transform runs again).
    /// </summary>
    private sealed class AttributeReadingOnlyGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var counts = context.SyntaxProvider.ForAttributeWithMetadataName(
                "ShapedVit.VisionTransformerAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (attributeContext, _) => attributeContext.TargetSymbol.GetAttributes().Length);
            context.RegisterSourceOutput(counts, static (_, _) => { });
        }
    }

    private static double Median(List<DriverRun> runs) => Harness.Median(runs.Select(r => r.Milliseconds).ToList());

    private static string Kib(long bytes) => Harness.Format(bytes / 1024.0, 0);

    private static string[] Row(int models, string run, List<DriverRun> runs, int generated) => new[]
    {
        models.ToString(), run, Harness.Format(Median(runs)), Kib((long)Harness.Median(runs.Select(r => (double)r.AllocatedBytes).ToList())), generated.ToString(),
    };
}
