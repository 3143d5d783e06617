using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>Item 5: images/s of a full training step (forward, cross-entropy, backward, AdamW).</summary>
public static class TrainingBenchmarks
{
    /// <summary>A training loop over one fixed random batch.</summary>
    public sealed class Trainer : IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> model;
        private readonly optim.Optimizer optimizer;
        private readonly Tensor images;
        private readonly Tensor labels;

        public Trainer(nn.Module<Tensor, Tensor> model, int batch, long channels, long size, long classes)
        {
            this.model = model;
            model.train();
            optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.05);
            images = torch.randn(batch, channels, size, size);
            labels = torch.randint(0, classes, new long[] { batch });
        }

        public void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
        }

        public void Dispose()
        {
            images.Dispose();
            labels.Dispose();
            optimizer.Dispose();
        }
    }

    public static void Run(Report report, Options options)
    {
        var rows = new List<string[]>();
        using (var fashion = new FashionVit(seed: 1))
            rows.Add(Measure("FashionVit 28px/4, 128 wide, depth 6", fashion, 32, 1, 28, 10, options.Repetitions * 4, options));
        using (var small = new VitS16(seed: 1))
            rows.Add(Measure("ViT-S/16 224px", small, 32, 3, 224, 1000, options.Repetitions, options));
        report.Heading("Training step (forward + cross-entropy + backward + AdamW), float32");
        report.Table(new[] { "model", "batch", "median ms / step", "images/s (median)", "min-max ms", "load 1-min" }, rows);
    }

    private static string[] Measure(string name, nn.Module<Tensor, Tensor> model, int batch, long channels, long size, long classes, int repetitions, Options options)
    {
        using var trainer = new Trainer(model, batch, channels, size, classes);
        var timing = Harness.Measure($"train {name} batch {batch}", options.Warmups, repetitions, trainer.Step);
        return new[] { name, batch.ToString(), Harness.Format(timing.Median * 1e3, 1), Harness.Format(batch / timing.Median, 1),
                       $"{Harness.Format(timing.Min * 1e3, 0)}-{Harness.Format(timing.Max * 1e3, 0)}", Harness.Format(timing.LoadBefore) };
    }
}
