using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace ShapedVit.Tests.Robustness;

/// <summary>
/// Thousands of seeded random declarations, judged by <see cref="DeclarationOracle"/>. Reproduce one failure with
/// SHAPEDVIT_FUZZ_SEED=&lt;seed&gt; SHAPEDVIT_FUZZ_COUNT=1; explore new ground with another SHAPEDVIT_FUZZ_SEED.
/// </summary>
public class RandomDeclarationFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_240_611;
    private const int DefaultCount = 5_000;
    private const int BatchSize = 250;

    [Fact]
    public void Random_declarations_never_crash_and_are_accepted_exactly_when_the_oracle_says_valid()
    {
        int seed = Setting("SHAPEDVIT_FUZZ_SEED", DefaultSeed), count = Setting("SHAPEDVIT_FUZZ_COUNT", DefaultCount);
        var cases = Enumerable.Range(0, count).Select(i => MakeCase(seed + i)).ToList();

        var failures = new List<string>();
        var kinds = new List<string>();
        var batches = cases.Chunk(BatchSize).ToList();
        var outcomes = new BatchOutcome[batches.Count];
        // Two workers: the machines these tests run on have two cores.
        Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = Setting("SHAPEDVIT_FUZZ_WORKERS", 2) },
                     b => outcomes[b] = RobustnessHarness.Run(batches[b].Select(c => c.Source).ToList(), sourcesCompileCleanly: true, bindEachGeneratedTemplateOnce: true));

        int valid = 0, generated = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            foreach (var crash in outcomes[b].Crashes)
                failures.Add($"batch of seeds {batches[b][0].Seed}..{batches[b][^1].Seed} crashed: {crash}");
            for (int i = 0; i < batches[b].Length; i++)
            {
                var fuzzCase = batches[b][i];
                var outcome = outcomes[b].Cases[i];
                if (fuzzCase.Verdict.Valid) valid++;
                if (outcome.Generated) generated++;
                foreach (var problem in Check(fuzzCase.Verdict, outcome))
                {
                    kinds.Add(problem);
                    failures.Add($"seed {fuzzCase.Seed} (rerun: SHAPEDVIT_FUZZ_SEED={fuzzCase.Seed} SHAPEDVIT_FUZZ_COUNT=1): {problem}\n" +
                                 $"oracle: {(fuzzCase.Verdict.Valid ? "valid" : string.Join(", ", fuzzCase.Verdict.Errors.Order()))}\n{outcome.Describe()}");
                }
            }
        }
        output.WriteLine($"{count} declarations from seed {seed}: {valid} valid by the oracle, {generated} generated, {failures.Count} failures");
        // The mix must exercise both sides, or the test proves little.
        Assert.InRange(valid, count / 5, count * 4 / 5);
        var summary = kinds.GroupBy(k => k).OrderByDescending(g => g.Count()).Select(g => $"  {g.Count()} x {g.Key}");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n{string.Join("\n", summary)}\nthe first ones:\n\n" + string.Join("\n\n", failures.Take(5)));
    }

    /// <summary>The checker itself: with the analyzer left out, invalid declarations must be caught as missing diagnostics.</summary>
    [Fact]
    public void The_checker_fails_a_pipeline_that_reports_nothing()
    {
        var cases = Enumerable.Range(0, 200).Select(i => MakeCase(DefaultSeed + i)).Where(c => !c.Verdict.Valid).Take(20).ToList();
        Assert.NotEmpty(cases);
        var outcome = RobustnessHarness.Run(cases.Select(c => c.Source).ToList(), sourcesCompileCleanly: true, withAnalyzer: false);
        Assert.All(cases.Zip(outcome.Cases), pair => Assert.NotEmpty(Check(pair.First.Verdict, pair.Second)));
    }

    public sealed record FuzzCase(int Seed, string Source, Verdict Verdict);

    public static FuzzCase MakeCase(int seed)
    {
        var random = new Random(seed);
        var declaration = DeclarationFuzzer.Generate(random);
        string suffix = seed.ToString(CultureInfo.InvariantCulture).Replace('-', 'm');
        return new FuzzCase(seed, DeclarationFuzzer.Render(declaration, "Fuzz.S" + suffix, "Model" + suffix, random), DeclarationOracle.Judge(declaration));
    }

    /// <summary>Everything wrong with one outcome, given the oracle's verdict.</summary>
    public static IEnumerable<string> Check(Verdict verdict, CaseOutcome outcome)
    {
        var reported = outcome.SvitErrors.Select(d => d.Id).ToHashSet();
        if (outcome.GenerationProblems.Length > 0) yield return "generation added C# errors or warnings";
        if (outcome.InputProblems.Length > 0) yield return "the declaration's own C# does not compile cleanly (a fuzzer bug)";
        if (verdict.Valid)
        {
            if (reported.Count > 0) yield return "a valid declaration got ShapedVit errors";
            if (outcome.GeneratedSources.Length != 1) yield return $"a valid declaration generated {outcome.GeneratedSources.Length} files, not 1";
            bool warned = outcome.Svit.Any(d => d.Id == "SVIT0012");
            if (warned != verdict.HeadDimWarning) yield return $"SVIT0012 (head dim not a multiple of 8) expected {verdict.HeadDimWarning}, reported {warned}";
            if (!outcome.Svit.Any(d => d.Id == "SVIT0013")) yield return "a valid declaration got no SVIT0013 shape trace";
            if (outcome.GeneratedSources.Length == 1)
            {
                if (Constant(outcome.GeneratedSources[0], "ParameterCount") != verdict.ParameterCount)
                    yield return $"generated ParameterCount differs from the oracle's {verdict.ParameterCount}";
                if (Constant(outcome.GeneratedSources[0], "Macs") != verdict.Macs)
                    yield return $"generated Macs differs from the oracle's {verdict.Macs}";
            }
        }
        else
        {
            if (reported.Count == 0) yield return "an invalid declaration got no ShapedVit error";
            var unexpected = reported.Where(id => !verdict.Errors.Contains(id)).ToList();
            if (unexpected.Count > 0) yield return "ShapedVit errors the oracle does not expect: " + string.Join(", ", unexpected);
            // The generated part keeps the code that uses the model compiling: the working model when only [ExpectShape]
            // lines are wrong (the network itself is proven), else the surface whose members throw.
            if (outcome.GeneratedSources.Length != 1) yield return $"an invalid declaration generated {outcome.GeneratedSources.Length} files, not 1";
            else
            {
                bool model = outcome.GeneratedSources[0].Contains("RegisterComponents();", StringComparison.Ordinal);
                bool networkProven = verdict.Errors.All(e => e is "SVIT0011" or "SVIT0018");
                if (model && !networkProven) yield return "an invalid declaration was generated as a working model";
                if (!model && networkProven) yield return "a proven network with a wrong [ExpectShape] got only its surface";
            }
        }
    }

    private static BigInteger? Constant(string source, string name) =>
        Regex.Match(source, $@"public const long {name} = (\d+)L;") is { Success: true } match ? BigInteger.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
