using System.Diagnostics;
using System.Globalization;
using ShapedVit.Checkpoints;
using ShapedVit.Training;
using ShapedVit.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>A small model with every stochastic layer on (dropout, drop path, patch dropout, layer scale), for the soak.</summary>
[VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean, Dropout = 0.1, DropPath = 0.1, PatchDropout = 0.5, LayerScaleInit = 1e-5)]
[Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(2), Heads(2), Mlp(128)]
public partial class SoakVit { }

/// <summary>
/// The soak (not a test: it runs for minutes): the trainer on random Fashion-MNIST-sized data, a forced full garbage
/// collection with finalizers between every two steps and a collector thread running generation-0 collections all the
/// time, a checkpoint (model and state file, then a reload) every few steps, a fresh model and trainer per run. A native
/// use-after-free (a finalizer freeing a handle a native call still reads) shows up as a crash of this process or as a
/// libtorch error. After each run, <see cref="SoakSurfaces"/> goes through the newer surfaces once (fine-tuning with the
/// head reset, a symlinked image folder, checkpoint metadata, ONNX export with external data, the CPU fast path with
/// weights changed between calls, int8 inference, bfloat16 training, a rotary/SwiGLU/register model), each checking its
/// result. The line at the end counts runs, steps, saves and surfaces. Usage: <c>soak [--minutes N] [--save-every N] [--out DIR] [--trace]</c> (--trace: a line per surface on standard error).
/// </summary>
public static class Soak
{
    public static int Run(string[] args)
    {
        double minutes = 30;
        int saveEvery = 5, stepsPerRun = 60;
        bool trace = false;
        string folder = Path.Combine(Path.GetTempPath(), $"shapedvit-soak-{Environment.ProcessId}");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--minutes": minutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--save-every": saveEvery = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--steps-per-run": stepsPerRun = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": folder = Next(); break;
                case "--trace": trace = true; break;
                default: throw new ArgumentException($"Unknown soak argument '{args[i]}'. Usage: soak [--minutes N] [--save-every N] [--steps-per-run N] [--out DIR] [--trace]");
            }
        }
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        var pixels = new byte[512 * 28 * 28];
        random.NextBytes(pixels);
        var data = new LabeledImages(pixels, Enumerable.Range(0, 512).Select(i => i % 10).ToArray(), 1, 28, 28, Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(), ImageTransform.Normalize([0.5f], [0.25f]));
        var augmented = data.WithTransform(data.Transform.WithSteps(new RandomCrop(28, 28, Padding: 2), new RandomHorizontalFlip()));
        var options = new TrainerOptions { Epochs = 1000, BatchSize = 32, LearningRate = 1e-3, GradientClipNorm = 1.0, LabelSmoothing = 0.1 };

        var surfaces = new SoakSurfaces(folder, data, trace);
        bool stop = false;
        long collections = 0;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(0); GC.WaitForPendingFinalizers(); Interlocked.Increment(ref collections); } }) { IsBackground = true };
        collector.Start();
        var clock = Stopwatch.StartNew();
        long runs = 0, steps = 0, saves = 0;
        string modelPath = Path.Combine(folder, "model.safetensors"), statePath = Path.Combine(folder, "state.safetensors");
        try
        {
            while (clock.Elapsed.TotalMinutes < minutes)
            {
                if (trace) { Console.Error.WriteLine($"soak: run {runs}, training"); Console.Error.Flush(); }
                using var model = new SoakVit(seed: runs);
                using var trainer = new Trainer(model, data, data.Take(64), options, torch.CPU, nameof(SoakVit));
                var order = Enumerable.Range(0, data.Count).ToArray();
                for (int step = 0; step < stepsPerRun && clock.Elapsed.TotalMinutes < minutes; step++)
                {
                    var indices = order.Skip(step * 32 % data.Count).Take(32).ToArray();
                    var (images, labels) = augmented.MakeBatch(indices, random.Next());
                    using (images) using (labels) trainer.TrainStep(images, labels, 1e-3);
                    steps++;
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    if (step % saveEvery == saveEvery - 1)
                    {
                        trainer.SaveCheckpoint(modelPath, statePath);
                        using var reloaded = new SoakVit(seed: 0);
                        reloaded.LoadSafetensors(modelPath);
                        saves++;
                    }
                }
                if (saves > 0) surfaces.Run(modelPath, runs);
                runs++;
                if (runs % 5 == 0)
                    Console.Error.WriteLine($"soak: {clock.Elapsed.TotalMinutes:F1} min, {runs} runs, {steps} steps, {saves} checkpoint saves, {Interlocked.Read(ref collections)} background collections; {surfaces}");
            }
        }
        catch (SoakFailure failure)
        {
            Console.Error.WriteLine($"soak failed after {clock.Elapsed.TotalMinutes:F1} min, run {runs}: {failure.Message}");
            return 1;
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        Console.WriteLine($"soak finished: {clock.Elapsed.TotalMinutes:F1} min, {runs} runs, {steps} steps, {saves} checkpoint saves and reloads, {collections} background collections, 0 crashes in this process; {surfaces}");
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return 0;
    }
}
