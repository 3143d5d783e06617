using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>Item 6: live tensors and RSS across 1000 inference iterations and 200 training steps (FashionVit).</summary>
public static class MemoryBenchmarks
{
    private sealed record Sample(int Iteration, long LiveTensors, long ThreadLive, double ResidentMiB);

    private static Sample Take(int iteration)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return new Sample(iteration, torch.Tensor.TotalCount, DisposeScopeManager.Statistics.ThreadTotalLiveCount, Harness.ResidentBytes() / 1048576.0);
    }

    public static void Run(Report report, Options options)
    {
        report.Heading("Memory: live tensors and RSS (FashionVit, batch 32)");
        var rows = new List<string[]>();
        using (var model = new FashionVit(seed: 1))
        {
            model.eval();
            using var images = torch.randn(32, 1, 28, 28);
            void Infer() { using var inference = torch.inference_mode(); using var scope = NewDisposeScope(); model.forward(images); }
            for (int i = 0; i < 20; i++) Infer(); // warm-up: allocator pools and JIT settle
            rows.AddRange(Track("inference", 1000, Infer));
        }
        using (var model = new FashionVit(seed: 1))
        {
            using var trainer = new TrainingBenchmarks.Trainer(model, 32, 1, 28, 10);
            for (int i = 0; i < 5; i++) trainer.Step(); // warm-up: AdamW state and gradients exist from the first step on
            rows.AddRange(Track("training", 200, trainer.Step));
        }
        report.Table(new[] { "loop", "iteration", "torch.Tensor.TotalCount", "thread live (DisposeScopeManager)", "RSS MiB" }, rows);
    }

    private static IEnumerable<string[]> Track(string loop, int iterations, Action step)
    {
        var samples = new List<Sample> { Take(0) };
        for (int i = 1; i <= iterations; i++)
        {
            step();
            if (i % (iterations / 4) == 0) samples.Add(Take(i));
        }
        var first = samples[0];
        var last = samples[^1];
        Console.Error.WriteLine($"  {loop}: live tensors {first.LiveTensors} -> {last.LiveTensors}, RSS {Harness.Format(first.ResidentMiB, 1)} -> {Harness.Format(last.ResidentMiB, 1)} MiB");
        return samples.Select(s => new[] { loop, s.Iteration.ToString(), s.LiveTensors.ToString(), s.ThreadLive.ToString(), Harness.Format(s.ResidentMiB, 1) });
    }
}
