using System.Globalization;
using System.Runtime.InteropServices;
using ShapedVit;
using ShapedVit.Benchmarks;
using TorchSharp;

// Usage: dotnet run -c Release --project benchmarks/ShapedVit.Benchmarks -- [sections...] [--reps N] [--warmups N] [--threads N] [--matmul N] [--reference DIR] [--pause MS] [--only "ENGINE;ENGINE"] [--path PATH,PATH] [--out FILE]
// Sections: ort int8-accuracy inference native roofline bf16 profile training training-bf16 memory generator paths retained epilogues (default: all).
// --path: the float32 CPU GEMM paths the `paths` section measures side by side (libtorch, onemkl-packed, onednn; default: all), beside int8.
if (args.Length > 0 && args[0] == "soak") return Soak.Run(args[1..]);
if (args.Length > 0 && args[0] == "checkpoint-memory") return CheckpointMemory.Run(args[1..]);
var options = Options.Parse(args);
Devices.SetCpuThreads(options.Threads);

var report = new Report();
report.Line($"Machine: {Harness.CpuModel()}, {Environment.ProcessorCount} cores visible, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
            $"TorchSharp {typeof(torch).Assembly.GetName().Version}, torch threads {torch.get_num_threads()}.");
report.Line($"Started at 1-minute load average {Harness.Format(Harness.LoadAverage())}; warm-ups {options.Warmups}, repetitions {options.Repetitions} (x2 for batch 1 and matmul).");
Console.Error.WriteLine(report.ToString().Trim());

var sections = options.Sections;
if (sections.Contains("ort")) OnnxRuntimeComparison.Run(report, options);
if (sections.Contains("int8-accuracy")) OnnxRuntimeComparison.RunInt8Accuracy(report, options);
if (sections.Overlaps(new[] { "inference", "native", "roofline", "bf16" })) InferenceBenchmarks.Run(report, options, sections);
if (sections.Contains("profile")) BlockProfile.Run(report, options);
if (sections.Contains("training")) TrainingBenchmarks.Run(report, options);
if (sections.Contains("training-bf16")) MixedPrecisionTraining.Run(report, options);
if (sections.Contains("memory")) MemoryBenchmarks.Run(report, options);
if (sections.Contains("generator")) GeneratorBenchmarks.Run(report, options);
if (sections.Contains("paths")) CpuPaths.Run(report, options);
if (sections.Contains("retained")) CpuPaths.RunRetained(report, options);
if (sections.Contains("epilogues")) Epilogues.Run(report, options);
report.Line("");
report.Line($"Finished at 1-minute load average {Harness.Format(Harness.LoadAverage())}.");

string text = report.ToString();
Console.WriteLine(text);
if (options.OutputPath is string path) File.WriteAllText(path, text);
return 0;

namespace ShapedVit.Benchmarks
{
    public sealed record Options(HashSet<string> Sections, int Warmups, int Repetitions, int Threads, long MatmulSize, string? OutputPath, string? ReferenceDirectory = null, int PauseMilliseconds = 0, IReadOnlyList<string>? EngineFilter = null, IReadOnlyList<string>? Paths = null)
    {
        private static readonly string[] AllSections = { "ort", "int8-accuracy", "inference", "native", "roofline", "bf16", "training", "training-bf16", "memory", "generator", "profile", "paths", "retained", "epilogues" };

        public static Options Parse(string[] args)
        {
            var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int warmups = 2, repetitions = 5, threads = Environment.ProcessorCount;
            long matmul = 3072;
            string? output = null, reference = null;
            int pause = 0;
            var only = new List<string>();
            var paths = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--reps": repetitions = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--warmups": warmups = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--matmul": matmul = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--out": output = Next(); break;
                    case "--reference": reference = Next(); break;
                    case "--pause": pause = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--only": only.AddRange(Next().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                    case "--path":
                        foreach (var path in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            if (!CpuPaths.Names.ContainsKey(path))
                                throw new ArgumentException($"Unknown --path '{path}'. Paths: {string.Join(", ", CpuPaths.Names.Keys)}.");
                            paths.Add(path);
                        }
                        break;
                    case "all": sections.UnionWith(AllSections); break;
                    default:
                        if (!AllSections.Contains(args[i], StringComparer.OrdinalIgnoreCase))
                            throw new ArgumentException($"Unknown argument '{args[i]}'. Sections: {string.Join(", ", AllSections)}.");
                        sections.Add(args[i]);
                        break;
                }
            }
            if (sections.Count == 0) sections.UnionWith(AllSections);
            return new Options(sections, warmups, repetitions, threads, matmul, output, reference, pause, only, paths);
        }
    }
}
