using ShapedVit.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Issue #15: is bfloat16 training on the CPU faster than float32? TorchSharp 0.107 has no autocast, so the bfloat16 step is
/// what autocast would do by hand: float32 master weights, a bfloat16 copy for compute (LayerNorms kept float32, as
/// <see cref="BFloat16Inference.ToBFloat16"/> does), forward and backward in bfloat16, gradients copied to the float32 master
/// weights, AdamW on those. Both steps are timed interleaved on the same batch.
/// </summary>
public static class MixedPrecisionTraining
{
    private sealed class MixedStep : IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> master;
        private readonly nn.Module<Tensor, Tensor> compute;
        private readonly (Parameter Master, Parameter Compute)[] pairs;
        private readonly optim.Optimizer optimizer;
        private readonly Tensor images, labels;

        public MixedStep(nn.Module<Tensor, Tensor> master, nn.Module<Tensor, Tensor> compute, Tensor images, Tensor labels)
        {
            this.master = master; this.compute = compute;
            BFloat16Inference.ToBFloat16(compute);
            compute.train();
            var computeParameters = compute.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            pairs = master.named_parameters().Select(p => (p.parameter, computeParameters[p.name])).ToArray();
            optimizer = torch.optim.AdamW(master.parameters(), lr: 1e-4, weight_decay: 0.05);
            this.images = images.to(ScalarType.BFloat16);
            this.labels = labels;
        }

        public void Step()
        {
            using var scope = NewDisposeScope();
            using (torch.no_grad())
                foreach (var (m, c) in pairs) c.copy_(m);
            compute.zero_grad();
            var loss = nn.functional.cross_entropy(compute.forward(images).to(ScalarType.Float32), labels);
            loss.backward();
            using (torch.no_grad())
                foreach (var (m, c) in pairs)
                {
                    if (c.grad is null) continue;
                    if (m.grad is null) m.grad = c.grad.to(ScalarType.Float32);
                    else m.grad.copy_(c.grad);
                }
            optimizer.step();
        }

        public void Dispose() { optimizer.Dispose(); images.Dispose(); }
    }

    public static void Run(Report report, Options options)
    {
        const int batch = 16;
        torch.manual_seed(0);
        using var images = torch.randn(batch, 3, 224, 224);
        using var labels = torch.randint(0, 1000, new long[] { batch });
        using var fp32Model = new VitS16(seed: 1);
        using var masterModel = new VitS16(seed: 1);
        using var computeModel = new VitS16(seed: 1);
        using var fp32 = new TrainingBenchmarks.Trainer(fp32Model, batch, 3, 224, 1000);
        using var mixed = new MixedStep(masterModel, computeModel, images, labels);
        // The library's own Trainer in both precisions (TrainerOptions.Precision), on the same batch: AdamW, default options.
        using var trainers = new TrainerPair(() => new VitS16(seed: 1), labels, 1000, channels: 3, size: 224, "vit_s16");
        var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions,
            ("ViT-S/16 train step float32", fp32.Step), ("ViT-S/16 train step bfloat16 compute, float32 master", mixed.Step),
            ("Trainer.TrainStep, Precision Float32", () => trainers.Float32.TrainStep(images, labels, 1e-4)),
            ("Trainer.TrainStep, Precision BFloat16", () => trainers.BFloat16.TrainStep(images, labels, 1e-4)));
        StepTable(report, $"Training step, ViT-S/16 224 px, batch {batch}: float32 vs bfloat16 (the autocast recipe by hand)", timings, batch, msDigits: 0, rateDigits: 2);
        report.Line($"bfloat16 / float32 speed: {Harness.Format(timings[0].Median / timings[1].Median, 2)}x by hand; " +
                    $"Trainer {Harness.Format(timings[2].Median / timings[3].Median, 2)}x (Precision BFloat16 / Float32).");
        SmallModel(report, options);
    }

    /// <summary>The same Trainer comparison for the FashionMnist sample's model (28 px, 49 tokens, width 128), batch 128.</summary>
    private static void SmallModel(Report report, Options options)
    {
        const int batch = 128;
        torch.manual_seed(0);
        using var images = torch.randn(batch, 1, 28, 28);
        using var labels = torch.randint(0, 10, new long[] { batch });
        using var trainers = new TrainerPair(() => new FashionVit(seed: 1), labels, 10, channels: 1, size: 28, "fashion");
        var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions * 4,
            ("FashionVit Trainer.TrainStep, Precision Float32", () => trainers.Float32.TrainStep(images, labels, 1e-4)),
            ("FashionVit Trainer.TrainStep, Precision BFloat16", () => trainers.BFloat16.TrainStep(images, labels, 1e-4)));
        StepTable(report, $"Training step, FashionVit 28 px, batch {batch}: the Trainer in float32 and bfloat16", timings, batch, msDigits: 1, rateDigits: 0);
        report.Line($"Trainer bfloat16 / float32 speed: {Harness.Format(timings[0].Median / timings[1].Median, 2)}x.");
    }

    private static void StepTable(Report report, string heading, Timing[] timings, int batch, int msDigits, int rateDigits)
    {
        report.Heading(heading);
        report.Table(new[] { "step", "median ms", "images/s (median)", "min-max ms", "CPU share", "load 1-min before -> after" },
            timings.Select(t => new[] { t.Name, Harness.Format(t.Median * 1e3, msDigits), Harness.Format(batch / t.Median, rateDigits),
                $"{Harness.Format(t.Min * 1e3, msDigits)}-{Harness.Format(t.Max * 1e3, msDigits)}", Harness.Format(t.CpuShare), $"{Harness.Format(t.LoadBefore)} -> {Harness.Format(t.LoadAfter)}" }).ToList());
    }

    /// <summary>
    /// The library's Trainer in float32 and in bfloat16 on two models from <paramref name="model"/>, default options but
    /// the batch size, over a data set of the batch's size (TrainStep is given the batch itself).
    /// </summary>
    private sealed class TrainerPair : IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> float32Model, bfloat16Model;

        public TrainerPair(Func<nn.Module<Tensor, Tensor>> model, Tensor labels, int classes, int channels, int size, string architecture)
        {
            int batch = (int)labels.shape[0];
            var names = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var data = new ShapedVit.Data.LabeledImages(new byte[batch * channels * size * size], labels.data<long>().Select(l => (int)l).ToArray(), channels, size, size, names);
            var options = new ShapedVit.Training.TrainerOptions { BatchSize = batch };
            float32Model = model();
            bfloat16Model = model();
            Float32 = new ShapedVit.Training.Trainer(float32Model, data, null, options, torch.CPU, architecture);
            BFloat16 = new ShapedVit.Training.Trainer(bfloat16Model, data, null, options with { Precision = ShapedVit.Training.TrainingPrecision.BFloat16 }, torch.CPU, architecture);
        }

        public ShapedVit.Training.Trainer Float32 { get; }
        public ShapedVit.Training.Trainer BFloat16 { get; }

        public void Dispose()
        {
            Float32.Dispose();
            BFloat16.Dispose();
            float32Model.Dispose();
            bfloat16Model.Dispose();
        }
    }
}
