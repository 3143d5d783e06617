using ShapedVit.Quantization;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ShapedVit.Checkpoints;
using ShapedVit.Inference;
using ShapedVit.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Issue #16: ShapedVit against ONNX Runtime on the same torchvision ViT-B/16 weights, in one process. The weights and a
/// batch of real images with torchvision's logits come from <c>make_vit_b16_reference.py</c>; the ONNX file is this
/// project's own export of the loaded model. Every engine runs in alternating rounds (a pause between runs lets the
/// previous engine's spinning threads go to sleep), fidelity against torchvision is checked in the same run, and page
/// faults per forward are counted around each timed call.
/// </summary>
public static partial class OnnxRuntimeComparison
{
    /// <summary>One engine of a comparison: logits of any float32 images, and a timed forward on its first images.</summary>
    private sealed class Engine(string name, Func<Tensor, float[]> logits, Func<int, Action> forward) : IDisposable
    {
        public string Name { get; } = name;
        /// <summary>Logits (float32, flattened) of any float32 images [B, C, H, W] of the model's size.</summary>
        public Func<Tensor, float[]> Logits { get; } = logits;
        /// <summary>A forward of the first <c>batch</c> of the images the engine was made with, inputs bound once.</summary>
        public Func<int, Action> Forward { get; } = forward;
        public List<IDisposable> Owned { get; } = new();
        public void Dispose() { foreach (var owned in Owned) owned.Dispose(); }
    }

    public static void Run(Report report, Options options)
    {
        string directory = options.ReferenceDirectory ?? Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "vit-b16-torchvision");
        string weights = Path.Combine(directory, "weights.safetensors");
        if (!File.Exists(weights))
        {
            string missing = $"No reference ViT-B/16 in {directory}: run /usr/bin/python3 benchmarks/ShapedVit.Benchmarks/make_vit_b16_reference.py first (needs python3-torchvision).";
            if (options.Sections.Count == 1) throw new FileNotFoundException(missing, weights);
            report.Heading("ShapedVit against ONNX Runtime: skipped");
            report.Line(missing);
            return;
        }

        using var reference = Safetensors.ReadAll(Path.Combine(directory, "reference.safetensors"));
        var images = reference.Tensors["images"];
        var expected = reference.Tensors["logits"];
        int available = (int)images.shape[0];

        using var fp32 = LoadedCopy(weights);
        fp32.eval();
        // A second float32 copy runs with packed GEMM switched off around each of its calls (a copy of its own, so the
        // first one keeps its packed weights), which gives the packed path's speed-up in the same rounds.
        using var fp32Unpacked = LoadedCopy(weights);
        fp32Unpacked.eval();
        using var bf16 = BFloat16Inference.ToBFloat16(LoadedCopy(weights));
        using var bf16Unpacked = BFloat16Inference.ToBFloat16(LoadedCopy(weights));
        bf16.eval();
        // int8: the blocks' Linears quantized (Int8Inference), and the same model exported with ONNX Runtime's
        // DynamicQuantizeMatMul, which is what ORT's quantize_dynamic (a Python tool) makes of a MatMul.
        using var int8 = Int8Inference.Quantize(LoadedCopy(weights));
        int8.eval();
        // Copies with frozen weights (FrozenWeights): their copies are not checksummed before each use, as ORT's
        // session does not re-read its initializers; separate copies, so the engines above keep the default checks.
        using var fp32Frozen = FrozenWeights.Freeze(LoadedCopy(weights));
        fp32Frozen.eval();
        using var int8Frozen = FrozenWeights.Freeze(Int8Inference.Quantize(LoadedCopy(weights)));
        int8Frozen.eval();
        using var int8Before = Int8Inference.Quantize(LoadedCopy(weights)); // the quantizer on two threads, as before run O
        int8Before.eval();
        string onnxPath = Path.Combine(directory, "vit_b16.onnx");
        var export = fp32.ExportOnnx(onnxPath);
        Console.Error.WriteLine($"exported {export.Path} ({new FileInfo(export.Path).Length:N0} bytes, opset {export.Opset})");
        string onnxInt8Path = Path.Combine(directory, "vit_b16.int8.onnx");
        var exportInt8 = int8.ExportOnnx(onnxInt8Path);
        Console.Error.WriteLine($"exported {exportInt8.Path} ({new FileInfo(exportInt8.Path).Length:N0} bytes, DynamicQuantizeMatMul)");

        int classes = VitB16.Spec.NumClasses;
        var engines = Filtered(options, new List<Engine>
        {
            TorchEngine("ShapedVit float32", fp32, images, ScalarType.Float32),
            TorchEngine("ShapedVit float32, packed GEMM off", fp32Unpacked, images, ScalarType.Float32, packedGemm: false),
            TorchEngine("ShapedVit bfloat16", bf16, images, ScalarType.BFloat16),
            TorchEngine("ShapedVit bfloat16, packed GEMM off", bf16Unpacked, images, ScalarType.BFloat16, packedGemm: false),
            TorchEngine("ShapedVit int8", int8, images, ScalarType.Float32),
            TorchEngine("ShapedVit float32, frozen weights", fp32Frozen, images, ScalarType.Float32),
            TorchEngine("ShapedVit int8, frozen weights", int8Frozen, images, ScalarType.Float32),
            TorchEngine("ShapedVit int8, quantizer on 2 threads (before)", int8Before, images, ScalarType.Float32, threadedQuantizer: true),
            OrtEngine("ORT float32 ORT_ENABLE_ALL", onnxPath, GraphOptimizationLevel.ORT_ENABLE_ALL, images, classes, options.Threads),
            OrtEngine("ORT float32 ORT_ENABLE_EXTENDED", onnxPath, GraphOptimizationLevel.ORT_ENABLE_EXTENDED, images, classes, options.Threads),
            OrtEngine("ORT int8 ORT_ENABLE_ALL", onnxInt8Path, GraphOptimizationLevel.ORT_ENABLE_ALL, images, classes, options.Threads),
        });
        try
        {
            CompareInRounds(report, options, engines, images, expected.data<float>().ToArray(), "torchvision",
                "ShapedVit against ONNX Runtime: torchvision ViT-B/16 weights, alternating in one process",
                $"Weights and {available} real images with torchvision's logits from `make_vit_b16_reference.py` ({reference.Metadata.GetValueOrDefault("made_by", "?")}); " +
                $"ONNX file: this project's export (opset {export.Opset}); {EngineSettings(options)}");
        }
        finally
        {
            foreach (var engine in engines) engine.Dispose();
        }
    }

    /// <summary>ORT's and libtorch's threads, and which CPU paths are in effect, for a comparison's description.</summary>
    private static string EngineSettings(Options options) =>
        $"ORT {OrtVersion()}, {options.Threads} intra-op threads, sequential; torch threads {torch.get_num_threads()}; " +
        $"packed GEMM: {PackedGemm.Status}; int8: {Int8Inference.Status}; ORT int8 file: this project's export of the Int8Inference model " +
        $"(DynamicQuantizeMatMul, as ORT's quantize_dynamic writes); allocator: {CpuAllocator.Status}.";

    /// <summary>The engines whose names contain one of <c>--only</c>'s names (all without it); the others are disposed.</summary>
    private static List<Engine> Filtered(Options options, List<Engine> engines)
    {
        if (options.EngineFilter is { Count: > 0 } only)
        {
            foreach (var dropped in engines.Where(e => !only.Any(o => e.Name.Contains(o, StringComparison.OrdinalIgnoreCase))).ToList())
            {
                dropped.Dispose();
                engines.Remove(dropped);
            }
        }
        return engines;
    }

    /// <summary>
    /// The comparison itself, for any model: fidelity of every engine on all <paramref name="images"/> against
    /// <paramref name="reference"/>'s logits, how long each engine's threads spin after a call, then every engine in
    /// alternating rounds at each of <c>--batches</c> (each timed call after a pause and one untimed call of the same
    /// engine), with page faults, CPU share and load per row, and the ratios paired within rounds.
    /// </summary>
    private static void CompareInRounds(Report report, Options options, List<Engine> engines, Tensor images, float[] reference, string referenceName, string heading, string description)
    {
        int available = (int)images.shape[0];
        var fidelity = new List<string[]>();
        foreach (var engine in engines)
        {
            var got = engine.Logits(images);
            var (maxDifference, agreement) = Compare(got, reference, available);
            fidelity.Add(new[] { engine.Name, maxDifference.ToString("0.00e+0", CultureInfo.InvariantCulture), $"{agreement}/{available}" });
            Console.Error.WriteLine($"  fidelity {engine.Name}: max abs difference from {referenceName} {maxDifference:0.00e+0}, top-1 {agreement}/{available}");
        }
        double scale = reference.Max(Math.Abs);

        // How long each engine's threads keep a core busy after a call returns (spin-waiting): CPU time used by the
        // process while the calling thread sleeps, in two windows after the call.
        var spin = new List<string>();
        using (var process = System.Diagnostics.Process.GetCurrentProcess())
        {
            foreach (var engine in engines)
            {
                double Cpu() { process.Refresh(); return process.TotalProcessorTime.TotalMilliseconds; }
                var forward = engine.Forward(1);
                forward(); // warm
                forward();
                double start = Cpu();
                Thread.Sleep(20);
                double early = Cpu();
                Thread.Sleep(180);
                double late = Cpu();
                spin.Add($"{engine.Name}: {Harness.Format(early - start, 0)} ms of CPU in the 20 ms after a call, {Harness.Format(late - early, 0)} ms in the 180 ms after that");
            }
        }

        var rows = new List<string[]>();
        var ratios = new List<string>();
        foreach (int batch in options.Batches ?? new[] { 8, 1 })
        {
            int count = Math.Min(batch, available);
            var faults = new long[engines.Count];
            var calls = new long[engines.Count];
            var actions = engines.Select((engine, i) =>
            {
                var forward = engine.Forward(count);
                return (Name: $"{engine.Name}, batch {count}", Action: (Action)(() =>
                {
                    long before = Harness.PageFaults();
                    forward();
                    faults[i] += Harness.PageFaults() - before;
                    calls[i]++;
                }));
            }).ToArray();
            int repetitions = batch == 1 ? options.Repetitions * 2 : options.Repetitions;
            var timings = Harness.MeasureInterleaved(options.Warmups, repetitions, options.PauseMilliseconds, untimedRunFirst: true, actions);
            for (int i = 0; i < engines.Count; i++)
            {
                var t = timings[i];
                rows.Add(new[]
                {
                    engines[i].Name, count.ToString(CultureInfo.InvariantCulture), Harness.Format(t.Median * 1e3, 1), Harness.Format(count / t.Median),
                    $"{Harness.Format(t.Min * 1e3, 0)}-{Harness.Format(t.Max * 1e3, 0)}",
                    Harness.Format((double)faults[i] / calls[i], 0), Harness.Format(t.CpuShare), Harness.Format(t.LoadBefore),
                });
            }
            ratios.Add(Ratios(engines, timings, count, repetitions));
        }

        report.Heading(heading);
        report.Line(description);
        report.Line("");
        report.Table(new[] { "engine", "batch", "median ms / batch", "images/s", "min-max ms", "page faults / forward", "CPU share", "load 1-min" }, rows);
        report.Line("");
        foreach (var line in ratios) report.Line("- " + line);
        report.Line("");
        report.Line($"Each timed call follows a {options.PauseMilliseconds} ms pause and one untimed call of the same engine. Threads still busy after a call (measured before the rounds):");
        report.Line("");
        foreach (var line in spin) report.Line("- " + line);
        report.Line("");
        report.Line($"Fidelity on the {available} images (logits up to {Harness.Format(scale)} in magnitude):");
        report.Line("");
        report.Table(new[] { "engine", $"max abs difference from {referenceName}", "top-1 agreement" }, fidelity);
    }

    /// <summary>One batch's ratios, each as the ratio of medians and paired within rounds; a ratio whose engines were left out by --only reads n/a.</summary>
    private static string Ratios(List<Engine> engines, Timing[] timings, int count, int repetitions)
    {
        double Median(string name) => engines.FindIndex(e => e.Name == name) is int i and >= 0 ? timings[i].Median : double.NaN;
        // Paired within rounds: each round's faster ORT engine over the engine's time in the same round (seconds
        // apart, so the machine's minute-to-minute drift cancels), the median over rounds.
        var ortIndices = engines.Select((e, i) => (e, i)).Where(x => x.e.Name.StartsWith("ORT float32", StringComparison.Ordinal)).Select(x => x.i).ToList();
        string Paired(string name)
        {
            int i = engines.FindIndex(e => e.Name == name);
            if (i < 0 || ortIndices.Count == 0) return "n/a";
            return Harness.Format(Harness.Median(Enumerable.Range(0, repetitions).Select(r => ortIndices.Min(o => timings[o].Seconds[r]) / timings[i].Seconds[r]).ToList()));
        }
        double bestOrt = ortIndices.Select(i => timings[i].Median).DefaultIfEmpty(double.NaN).Min();
        // int8 against ORT's int8, paired per round as above.
        string PairedWith(string name, string other)
        {
            int i = engines.FindIndex(e => e.Name == name), o = engines.FindIndex(e => e.Name == other);
            if (i < 0 || o < 0) return "n/a";
            return Harness.Format(Harness.Median(Enumerable.Range(0, repetitions).Select(r => timings[o].Seconds[r] / timings[i].Seconds[r]).ToList()));
        }
        string packed = engines.Any(e => e.Name == "ShapedVit float32, packed GEMM off")
            ? $"float32 packed GEMM on / off {Harness.Format(Median("ShapedVit float32, packed GEMM off") / Median("ShapedVit float32"))}; "
            : "";
        if (engines.Any(e => e.Name == "ShapedVit bfloat16, packed GEMM off"))
            packed += $"bfloat16 packed GEMM on / off {Harness.Format(Median("ShapedVit bfloat16, packed GEMM off") / Median("ShapedVit bfloat16"))}; ";
        return $"batch {count}: float32 ShapedVit / best ORT images/s **{Harness.Format(bestOrt / Median("ShapedVit float32"))}** (target >= 1.0); " +
               $"bfloat16 ShapedVit / best ORT float32 **{Harness.Format(bestOrt / Median("ShapedVit bfloat16"))}**" + (count == 8 ? " (target >= 2.5)" : "") + "; " +
               packed + $"weights packed so far {ShapedVit.PackedWeight.PacksMade}; " +
               $"paired per round (median of each round's best ORT / engine): float32 {Paired("ShapedVit float32")}, bfloat16 {Paired("ShapedVit bfloat16")}; " +
               $"int8 ShapedVit / ORT int8 images/s **{Harness.Format(Median("ORT int8 ORT_ENABLE_ALL") / Median("ShapedVit int8"))}** (target >= 1.0; paired {PairedWith("ShapedVit int8", "ORT int8 ORT_ENABLE_ALL")}), " +
               $"ORT int8 / best ORT float32 {Harness.Format(bestOrt / Median("ORT int8 ORT_ENABLE_ALL"))}, ShapedVit int8 / ShapedVit float32 {Harness.Format(Median("ShapedVit float32") / Median("ShapedVit int8"))}; " +
               $"frozen weights: float32 / best ORT **{Harness.Format(bestOrt / Median("ShapedVit float32, frozen weights"))}** (paired {Paired("ShapedVit float32, frozen weights")}), " +
               $"int8 / ORT int8 **{Harness.Format(Median("ORT int8 ORT_ENABLE_ALL") / Median("ShapedVit int8, frozen weights"))}** (paired {PairedWith("ShapedVit int8, frozen weights", "ORT int8 ORT_ENABLE_ALL")}).";
    }

    /// <summary>
    /// `int8-accuracy`: int8 against float32 on the reference images, no timing (so valid on a loaded machine): ShapedVit
    /// int8 and ORT int8 (the same model's DynamicQuantizeMatMul export) against ShapedVit float32 and torchvision's
    /// float32 logits: max logit difference and top-1 agreement.
    /// </summary>
    public static void RunInt8Accuracy(Report report, Options options)
    {
        string directory = options.ReferenceDirectory ?? Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "vit-b16-torchvision");
        string weights = Path.Combine(directory, "weights.safetensors");
        if (!File.Exists(weights)) throw new FileNotFoundException($"No reference ViT-B/16 in {directory}: run make_vit_b16_reference.py first.", weights);
        using var reference = Safetensors.ReadAll(Path.Combine(directory, "reference.safetensors"));
        var images = reference.Tensors["images"];
        var torchvision = reference.Tensors["logits"].data<float>().ToArray();
        int count = (int)images.shape[0];
        using var fp32 = LoadedCopy(weights);
        fp32.eval();
        using var int8 = Int8Inference.Quantize(LoadedCopy(weights));
        int8.eval();
        string onnxInt8Path = Path.Combine(directory, "vit_b16.int8.onnx");
        int8.ExportOnnx(onnxInt8Path);
        using var fp32Engine = TorchEngine("ShapedVit float32", fp32, images, ScalarType.Float32);
        using var int8Engine = TorchEngine("ShapedVit int8", int8, images, ScalarType.Float32);
        using var ortEngine = OrtEngine("ORT int8 ORT_ENABLE_ALL", onnxInt8Path, GraphOptimizationLevel.ORT_ENABLE_ALL, images, VitB16.Spec.NumClasses, options.Threads);
        var float32 = fp32Engine.Logits(images);
        var rows = new List<string[]>();
        foreach (var engine in new[] { fp32Engine, int8Engine, ortEngine })
        {
            var got = engine.Logits(images);
            var (toFloat32, agreeFloat32) = Compare(got, float32, count);
            var (toTorchvision, agreeTorchvision) = Compare(got, torchvision, count);
            rows.Add(new[] { engine.Name, toFloat32.ToString("0.00e+0", CultureInfo.InvariantCulture), $"{agreeFloat32}/{count}",
                             toTorchvision.ToString("0.00e+0", CultureInfo.InvariantCulture), $"{agreeTorchvision}/{count}" });
        }
        report.Heading("int8 accuracy on the reference images (torchvision ViT-B/16 weights)");
        report.Line($"CPU: {Harness.CpuModel()}; {count} real images from `make_vit_b16_reference.py` ({reference.Metadata.GetValueOrDefault("made_by", "?")}); " +
                    $"logits up to {Harness.Format(float32.Max(Math.Abs))} in magnitude; int8: {Int8Inference.Status}; ORT {OrtVersion()}.");
        report.Line("");
        report.Table(new[] { "engine", "max abs logit difference from ShapedVit float32", "top-1 = float32", "max abs logit difference from torchvision", "top-1 = torchvision" }, rows);
    }

    private static VitB16 LoadedCopy(string weights)
    {
        var model = new VitB16(seed: 1);
        model.LoadSafetensors(weights);
        return model;
    }

    private static Engine TorchEngine(string name, nn.Module<Tensor, Tensor> model, Tensor images, ScalarType dtype, bool packedGemm = true, bool mapLargeBlocks = false,
                                      bool? oneDnnAttention = null, bool threadedQuantizer = false)
    {
        var inputs = new Dictionary<int, Tensor>();
        Tensor Input(int batch)
        {
            if (!inputs.TryGetValue(batch, out var input))
                inputs[batch] = input = images.narrow(0, 0, batch).to(dtype).contiguous().DetachFromDisposeScope();
            return input;
        }
        T WithPackedGemm<T>(Func<T> run)
        {
            PackedGemm.Enabled = packedGemm;
            if (mapLargeBlocks) CpuAllocator.MapLargeBlocks(true); // glibc's default around this engine's calls only
            CpuInference.ForcedOneDnnAttention = oneDnnAttention;
            ActivationQuantizer.Threaded = threadedQuantizer;
            try { return run(); }
            finally
            {
                PackedGemm.Enabled = true;
                CpuInference.ForcedOneDnnAttention = null;
                ActivationQuantizer.Threaded = false;
                if (mapLargeBlocks) CpuAllocator.MapLargeBlocks(false);
            }
        }
        var engine = new Engine(name,
            batchImages => WithPackedGemm(() =>
            {
                using var inference = torch.inference_mode();
                using var scope = NewDisposeScope();
                return model.forward(batchImages.to(dtype)).to(ScalarType.Float32).data<float>().ToArray();
            }),
            batch =>
            {
                var forward = InferenceBenchmarks.Forward(model, Input(batch));
                return () => WithPackedGemm(() => { forward(); return 0; });
            });
        engine.Owned.Add(new Disposer(() => { foreach (var input in inputs.Values) input.Dispose(); }));
        return engine;
    }

    /// <summary>An ONNX Runtime session on <paramref name="path"/> (input <c>images</c>, output <c>logits</c> [B, <paramref name="classes"/>]).</summary>
    private static Engine OrtEngine(string name, string path, GraphOptimizationLevel level, Tensor images, int classes, int threads)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = level,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        var session = new InferenceSession(path, sessionOptions);
        long[] shape = images.shape;
        long perImage = shape[1] * shape[2] * shape[3];
        var runOptions = new RunOptions();
        // Inputs and outputs bound once per batch size, so a timed run is ORT's Run and nothing else.
        var bound = new Dictionary<int, (OrtValue Input, OrtValue Output)>();
        (OrtValue Input, OrtValue Output) Bound(int batch)
        {
            if (!bound.TryGetValue(batch, out var value))
            {
                var pixels = images.narrow(0, 0, batch).contiguous().data<float>().ToArray();
                var input = OrtValue.CreateTensorValueFromMemory(pixels, new long[] { batch, shape[1], shape[2], shape[3] });
                var output = OrtValue.CreateTensorValueFromMemory(new float[batch * classes], new long[] { batch, classes });
                bound[batch] = value = (input, output);
            }
            return value;
        }
        float[] Logits(Tensor batchImages)
        {
            long batch = batchImages.shape[0];
            if (batchImages.numel() != batch * perImage) throw new ArgumentException($"{name}: images of {batchImages.numel() / Math.Max(batch, 1)} values each, the session's are {perImage}.");
            var pixels = batchImages.to(ScalarType.Float32).contiguous().data<float>().ToArray();
            var logits = new float[batch * classes];
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, new long[] { batch, shape[1], shape[2], shape[3] });
            using var output = OrtValue.CreateTensorValueFromMemory(logits, new long[] { batch, classes });
            session.Run(runOptions, new[] { "images" }, new[] { input }, new[] { "logits" }, new[] { output });
            return logits;
        }
        var engine = new Engine(name, Logits,
            batch => () =>
            {
                var (input, output) = Bound(batch);
                session.Run(runOptions, new[] { "images" }, new[] { input }, new[] { "logits" }, new[] { output });
            });
        engine.Owned.Add(new Disposer(() => { foreach (var (input, output) in bound.Values) { input.Dispose(); output.Dispose(); } }));
        engine.Owned.Add(runOptions);
        engine.Owned.Add(session);
        engine.Owned.Add(sessionOptions);
        return engine;
    }

    private static (double MaxDifference, int Top1Agreement) Compare(float[] got, float[] expected, int batch)
    {
        int classes = expected.Length / batch, agree = 0;
        double max = 0;
        for (int b = 0; b < batch; b++)
        {
            int gotBest = 0, expectedBest = 0;
            for (int c = 0; c < classes; c++)
            {
                int i = b * classes + c;
                max = Math.Max(max, Math.Abs(got[i] - expected[i]));
                if (got[i] > got[b * classes + gotBest]) gotBest = c;
                if (expected[i] > expected[b * classes + expectedBest]) expectedBest = c;
            }
            if (gotBest == expectedBest) agree++;
        }
        return (max, agree);
    }

    private static string OrtVersion() =>
        typeof(InferenceSession).Assembly.GetName().Version?.ToString() ?? "?";

    private sealed class Disposer(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
