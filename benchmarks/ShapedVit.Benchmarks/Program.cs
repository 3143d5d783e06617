using System.Globalization;
using System.Runtime.InteropServices;
using ShapedVit;
using ShapedVit.Benchmarks;
using TorchSharp;

// Usage: dotnet run -c Release --project benchmarks/ShapedVit.Benchmarks -- [sections...] [--reps N] [--warmups N] [--threads N] [--matmul N] [--reference DIR] [--pause MS] [--only "ENGINE;ENGINE"] [--batches N,N] [--path PATH,PATH] [--fashion-model PATH] [--fashion-data DIR] [--out FILE]
// Sections: ort ort-dinov2 int8-accuracy int8-accuracy-fashion inference native roofline bf16 profile training training-bf16 memory generator paths retained epilogues attention-lever int8-levers breakdown (default: all).
// breakdown: a float32 forward's time by operation kind, ShapedVit's parts timed alone and ORT's profiler (--only MODEL: vit_base_patch16_224 or vit_small_patch14_reg4_dinov2).
// int8-levers: per ViT-B/16 GEMM, where the int8 path's time goes and its levers; ORT's one-node models from make_int8_gemm_models.py.
// ort-dinov2: the ort comparison on DINOv2 ViT-S/14 with 4 registers at 518 px (1,374 tokens). --batches: the batch sizes of ort and ort-dinov2 (default 8,1).
// int8-accuracy-fashion: int8 against float32 on the Fashion-MNIST test set through a trained FashionMnist sample checkpoint
// (--fashion-model, default runs/fashion-mnist/model.safetensors; --fashion-data, default /usr/share/datasets/fashion-mnist, else the repository's slice).
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
if (sections.Contains("ort-dinov2")) OnnxRuntimeComparison.RunDinov2(report, options);
if (sections.Contains("int8-accuracy")) OnnxRuntimeComparison.RunInt8Accuracy(report, options);
if (sections.Contains("int8-accuracy-fashion")) OnnxRuntimeComparison.RunFashionInt8Accuracy(report, options);
if (sections.Overlaps(new[] { "inference", "native", "roofline", "bf16" })) InferenceBenchmarks.Run(report, options, sections);
if (sections.Contains("profile")) BlockProfile.Run(report, options);
if (sections.Contains("training")) TrainingBenchmarks.Run(report, options);
if (sections.Contains("training-bf16")) MixedPrecisionTraining.Run(report, options);
if (sections.Contains("memory")) MemoryBenchmarks.Run(report, options);
if (sections.Contains("generator")) GeneratorBenchmarks.Run(report, options);
if (sections.Contains("paths")) CpuPaths.Run(report, options);
if (sections.Contains("retained")) CpuPaths.RunRetained(report, options);
if (sections.Contains("epilogues")) Epilogues.Run(report, options);
if (sections.Contains("attention-lever")) AttentionLever.Run(report, options);
if (sections.Contains("int8-levers")) Int8Levers.Run(report, options);
if (sections.Contains("breakdown")) Breakdown.Run(report, options);
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
        /// <summary>The batch sizes of the ort and ort-dinov2 comparisons (null: 8 and 1).</summary>
        public int[]? Batches { get; init; }
        /// <summary>The FashionMnist sample checkpoint int8-accuracy-fashion evaluates (null: the sample's default output).</summary>
        public string? FashionModel { get; init; }
        /// <summary>The folder with Fashion-MNIST's test IDX files (null: Debian's package, else the repository's slice).</summary>
        public string? FashionData { get; init; }

        private static readonly string[] AllSections = { "ort", "ort-dinov2", "int8-accuracy", "int8-accuracy-fashion", "inference", "native", "roofline", "bf16", "training", "training-bf16", "memory", "generator", "profile", "paths", "retained", "epilogues", "attention-lever", "int8-levers", "breakdown" };

        public static Options Parse(string[] args)
        {
            var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int warmups = 2, repetitions = 5, threads = Environment.ProcessorCount;
            long matmul = 3072;
            string? output = null, reference = null, fashionModel = null, fashionData = null;
            int[]? batches = null;
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
                    case "--fashion-model": fashionModel = Next(); break;
                    case "--fashion-data": fashionData = Next(); break;
                    case "--batches":
                        string list = Next();
                        batches = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"--batches takes positive whole numbers separated by commas, not '{list}'."))
                            .ToArray();
                        if (batches.Length == 0) throw new ArgumentException("--batches needs at least one batch size.");
                        break;
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
            return new Options(sections, warmups, repetitions, threads, matmul, output, reference, pause, only, paths)
            {
                Batches = batches,
                FashionModel = fashionModel,
                FashionData = fashionData,
            };
        }
    }
}
