using System.Runtime.InteropServices;
using ShapedVit.Inference;
using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// `paths`: each float32 CPU GEMM path the seam can take (`--path`) and the int8 path, alternating in one process, on
/// ViT-B/16's four block GEMMs at batch 1 and 8 and on the whole model; the cost of the packed path's per-forward weight checksum. `retained`:
/// resident memory after unrelated code mallocs and frees 768 MiB, before and after <see cref="CpuAllocator.Trim"/>
/// (run it once as is and once with SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS=1).
/// </summary>
internal static class CpuPaths
{
    public static readonly Dictionary<string, GemmPath> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["libtorch"] = GemmPath.LibTorchLinear,
        ["onemkl-packed"] = GemmPath.OneMklPacked,
        ["onednn"] = GemmPath.OneDnnPacked,
    };

    public static void Run(Report report, Options options)
    {
        var paths = (options.Paths is { Count: > 0 } chosen ? chosen : Names.Keys.ToList()).Select(p => (Name: p, Path: Names[p])).ToList();
        var selection = CpuInference.Selection;
        report.Heading("CPU GEMM paths, alternating in one process (ViT-B/16 shapes, float32, inference mode)");
        report.Line($"CPU: {Harness.CpuModel()}; capabilities: {CpuInference.Capabilities}; chosen path: {selection.Path} ({selection.Reason}); " +
                    $"torch threads {torch.get_num_threads()}; paths measured: {string.Join(", ", paths.Select(p => p.Name))}.");
        report.Line("");

        var shapes = new (string Name, long In, long Out)[] { ("qkv", 768, 2304), ("proj", 768, 768), ("fc1", 768, 3072), ("fc2", 3072, 768) };
        var rows = new List<string[]>();
        foreach (int batch in new[] { 1, 8 })
        {
            foreach (var (name, inFeatures, outFeatures) in shapes)
            {
                using var scope = NewDisposeScope();
                torch.manual_seed(1);
                // One layer per path (the same weights), so that each keeps its own copy between rounds: the paths share
                // a layer's one copy slot, and one layer would be copied again at every switch of path.
                var layers = paths.Select(_ => { torch.manual_seed(1); return new PackableLinear(inFeatures, outFeatures); }).ToList();
                torch.manual_seed(1);
                using var quantized = Int8Inference.Quantize(new PackableLinear(inFeatures, outFeatures));
                var input = torch.randn(batch, 197, inFeatures);
                var actions = paths.Select((p, index) => (p.Name, (Action)(() => WithPath(p.Path, () =>
                {
                    using var inference = torch.inference_mode();
                    for (int i = 0; i < 5; i++) layers[index].call(input).Dispose();
                })))).Append(("int8 (Int8Inference)", () =>
                {
                    using var inference = torch.inference_mode();
                    for (int i = 0; i < 5; i++) quantized.call(input).Dispose();
                })).ToArray();
                var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions, actions);
                foreach (var each in layers) each.Dispose();
                double flops = 5 * 2.0 * batch * 197 * inFeatures * outFeatures;
                rows.AddRange(Rows($"{name} [{batch}x197, {inFeatures}] x [{inFeatures}, {outFeatures}], 5 calls", batch, timings, flops));
            }
            {
                using var scope = NewDisposeScope();
                var models = paths.Select(_ => new VitB16(seed: 0)).ToList(); // one model per path, as above
                foreach (var each in models) each.eval();
                using var quantizedModel = Int8Inference.Quantize(new VitB16(seed: 0));
                quantizedModel.eval();
                var images = torch.randn(batch, 3, 224, 224);
                var actions = paths.Select((p, index) => (p.Name, (Action)(() => WithPath(p.Path, () =>
                {
                    using var inference = torch.inference_mode();
                    models[index].forward(images).Dispose();
                })))).Append(("int8 (Int8Inference)", () =>
                {
                    using var inference = torch.inference_mode();
                    quantizedModel.forward(images).Dispose();
                })).ToArray();
                var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions, actions);
                foreach (var each in models) each.Dispose();
                rows.AddRange(Rows("ViT-B/16 forward", batch, timings, double.NaN));
            }
        }
        report.Table(new[] { "GEMM", "batch", "path", "median ms", "GFLOP/s", "time / first path's (paired per round)", "CPU share", "load 1-min" }, rows);

        // The packed path reads every weight once per forward to checksum it (see PackedGemm's remarks).
        long bytes = 12L * (768 * 2304 + 768 * 768 + 768 * 3072 + 3072 * 768) * sizeof(float);
        var data = Allocate(bytes);
        try
        {
            var timing = Harness.Measure("checksum", options.Warmups, options.Repetitions, () => WeightChecksum.Compute(data, bytes));
            report.Line("");
            report.Line($"- Weight checksum over ViT-B/16's 48 block weights ({bytes >> 20} MiB), as the packed path does once per forward: " +
                        $"median {Harness.Format(timing.Median * 1000)} ms ({Harness.Format(bytes / timing.Median / 1e9)} GB/s), CPU share {Harness.Format(timing.CpuShare)}.");
        }
        finally
        {
            Free(data);
        }
    }

    /// <summary>
    /// Resident memory of a process that ran ViT-S/16 inference (batch 8) and then had other code malloc and free 768 MiB
    /// in 8 MiB blocks, before and after <see cref="CpuAllocator.Trim"/>; the peak is the kernel's high-water mark.
    /// </summary>
    public static unsafe void RunRetained(Report report, Options options)
    {
        long MiB(long bytes) => bytes >> 20;
        using (var scope = NewDisposeScope())
        {
            using var model = new VitS16(seed: 0);
            model.eval();
            var images = torch.randn(8, 3, 224, 224);
            using var inference = torch.inference_mode();
            for (int i = 0; i < 3; i++) model.forward(images).Dispose();
        }
        long afterInference = Harness.ResidentBytes();
        const int Block = 8 << 20, Blocks = 96;
        var blocks = new IntPtr[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = (IntPtr)NativeMemory.Alloc(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(1);
        }
        foreach (var block in blocks) NativeMemory.Free((void*)block);
        long afterFree = Harness.ResidentBytes(), held = CpuAllocator.FreeHeapBytes ?? -1, peak = PeakResidentBytes();
        var trimmed = CpuAllocator.Trim();
        long afterTrim = Harness.ResidentBytes();
        report.Heading("Memory the C allocator keeps after work ends (ViT-S/16 inference, then 768 MiB malloc/free elsewhere)");
        report.Line($"CPU: {Harness.CpuModel()}; allocator: {CpuAllocator.Status}; load {Harness.Format(Harness.LoadAverage(), 1)}.");
        report.Line("");
        report.Table(new[] { "after inference MiB", "after 768 MiB malloc/free MiB", "free in the heap MiB", "peak MiB", "after Trim MiB", "Trim released" },
            new[] { new[] { MiB(afterInference).ToString(System.Globalization.CultureInfo.InvariantCulture), MiB(afterFree).ToString(System.Globalization.CultureInfo.InvariantCulture), held < 0 ? "n/a" : MiB(held).ToString(System.Globalization.CultureInfo.InvariantCulture), MiB(peak).ToString(System.Globalization.CultureInfo.InvariantCulture), MiB(afterTrim).ToString(System.Globalization.CultureInfo.InvariantCulture), trimmed.ToString() } });
    }

    private static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static unsafe IntPtr Allocate(long bytes)
    {
        var data = (byte*)NativeMemory.Alloc((nuint)bytes);
        new Random(1).NextBytes(new Span<byte>(data, checked((int)Math.Min(bytes, int.MaxValue))));
        return (IntPtr)data;
    }

    private static unsafe void Free(IntPtr data) => NativeMemory.Free((void*)data);

    private static IEnumerable<string[]> Rows(string gemm, int batch, Timing[] timings, double flops) => timings.Select((t, i) => new[]
    {
        i == 0 ? gemm : "", i == 0 ? batch.ToString(System.Globalization.CultureInfo.InvariantCulture) : "", t.Name, Harness.Format(t.Median * 1000, 1),
        double.IsNaN(flops) ? "" : Harness.Format(flops / t.Median / 1e9, 1),
        i == 0 ? "1.00" : Harness.Format(Harness.Median(Enumerable.Range(0, t.Seconds.Count).Select(r => t.Seconds[r] / timings[0].Seconds[r]).ToList())),
        Harness.Format(t.CpuShare), Harness.Format(t.LoadBefore, 1),
    });

    private static void WithPath(GemmPath path, Action action)
    {
        var was = CpuInference.ForcedPath;
        CpuInference.ForcedPath = path;
        try { action(); }
        finally { CpuInference.ForcedPath = was; }
    }
}
