using System.Diagnostics;
using ShapedVit.Data;
using ShapedVit.Training;
using TorchSharp;

namespace ShapedVit.Samples.FashionMnist;

// TEMPORARY: throughput and accuracy experiments for choosing the architecture (removed once chosen).
internal static class Bench
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(2);
        var (train, test) = FashionMnistDataset.Load(args[1]);
        int limit = int.Parse(args[2]);
        int epochs = int.Parse(args[3]);
        var p = args[4].Split(',').Select(int.Parse).ToArray(); // patch,embed,depth,heads,mlp,batch
        double lr = double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
        int pad = int.Parse(args[6]);
        if (limit < train.Count) train = train.Take(limit);
        var model = FashionModel.Create(0);
        var options = new TrainerOptions { Epochs = epochs, BatchSize = p[5], LearningRate = lr, WarmupEpochs = Math.Min(1, epochs * 0.1), Seed = 0,
            Augmentation = new AugmentationOptions(pad, true), Normalization = PixelNormalization.Grey(FashionMnistDataset.Mean, FashionMnistDataset.Std) };
        using var trainer = new Trainer(model, train, test, options, torch.CPU, "bench");
        var clock = Stopwatch.StartNew();
        while (!trainer.Finished)
        {
            var r = trainer.RunEpoch();
            Console.WriteLine($"{args[4]} lr {lr} epoch {r.Epoch}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P2} test acc {r.TestAccuracy:P2} {r.ImagesPerSecond:F0} img/s train {r.Seconds:F0}s total {clock.Elapsed.TotalSeconds:F0}s");
        }
        return 0;
    }
}
