using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

/// <summary>
/// AdamW's update while another thread collects garbage and runs finalizers, as the soak does (docs/benchmarks.md,
/// "Soak"). <c>denominator.add_(eps)</c> looked like it passed only the held eps, but TorchSharp's one-argument
/// <c>add_(Scalar)</c> makes a temporary Scalar for alpha = 1, which the collector freed while libtorch read it
/// ("Expected false to be true" from <c>Scalar::toFloat</c>): the soak died of it within a minute, and this test failed on
/// that code. The update now passes alpha as the process-lifetime <see cref="Layers.Scalars.One"/>.
/// </summary>
[Collection(TrainingCollection.Name)]
public class AdamWGarbageCollectionTests
{
    [Fact]
    public void Updates_survive_garbage_collection_during_the_native_calls()
    {
        using var weight = new Parameter(torch.randn(64, 64));
        using (var loss = weight.square().sum()) loss.backward(); // a gradient that stays, as no step zeroes it here
        using var optimizer = new AdamW([("weight", weight)], (_, _) => true);
        bool stop = false;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(0); GC.WaitForPendingFinalizers(); } }) { IsBackground = true };
        collector.Start();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 100_000 && clock.Elapsed < TimeSpan.FromSeconds(20); i++) optimizer.Update(1e-6);
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        Assert.True(weight.isfinite().all().item<bool>());
    }

    [Fact]
    public void Bfloat16_training_steps_survive_garbage_collection_during_the_native_calls()
    {
        var data = TrainerTests.RandomImages(16, 12).WithoutAugmentation();
        var (images, labels) = data.MakeBatch(Enumerable.Range(0, 16).ToArray());
        using var model = new PlainTinyVit(seed: 3);
        var options = new TrainerOptions { BatchSize = 16, GradientAccumulation = 2, Precision = TrainingPrecision.BFloat16 };
        using var trainer = new Trainer(model, data, null, options, torch.CPU, "plain");
        bool stop = false;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(0); GC.WaitForPendingFinalizers(); } }) { IsBackground = true };
        collector.Start();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 2_000 && clock.Elapsed < TimeSpan.FromSeconds(10); i++) trainer.TrainStep(images, labels, 1e-4);
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }
}
