using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Inference;
using ShapedVit.Onnx;
using ShapedVit.Samples.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

public static partial class OnnxRuntimeComparison
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the four IDX files.</summary>
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>Images per call in the accuracy runs: one at a time, and batched. int8 quantizes each call's input with one scale, so the batch can matter.</summary>
    private static readonly int[] FashionBatches = { 1, 100 };

    /// <summary>
    /// `int8-accuracy-fashion`: int8 against float32 on the Fashion-MNIST test set through a trained FashionMnist sample
    /// checkpoint (<c>--fashion-model</c>), no timing: test accuracy of ShapedVit float32, ShapedVit int8, ORT float32 and
    /// ORT int8 (this project's exports of the two), and each one's top-1 agreement with ShapedVit float32 and its max and
    /// mean absolute logit difference from it, with each call's input quantized per call at every batch size of
    /// <see cref="FashionBatches"/>.
    /// </summary>
    public static void RunFashionInt8Accuracy(Report report, Options options)
    {
        string modelPath = Path.GetFullPath(options.FashionModel ?? Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "runs", "fashion-mnist", "model.safetensors"));
        if (!File.Exists(modelPath))
        {
            string missing = $"No Fashion-MNIST checkpoint at {modelPath}: train one with the FashionMnist sample " +
                             "(dotnet run --project samples/FashionMnist -c Release, which writes runs/fashion-mnist/model.safetensors) or pass --fashion-model PATH.";
            if (options.Sections.Count == 1 || options.FashionModel is not null) throw new FileNotFoundException(missing, modelPath);
            report.Heading("int8 accuracy on the Fashion-MNIST test set: skipped");
            report.Line(missing);
            return;
        }
        string data = options.FashionData
                      ?? (Directory.Exists(DebianFashionMnist) ? DebianFashionMnist : Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "samples", "data", "fashion-mnist-slice"));
        var test = FashionMnistFiles.FromIdx(FashionMnistFiles.Find(data, FashionMnistDataset.TestImages), FashionMnistFiles.Find(data, FashionMnistDataset.TestLabels), FashionMnistDataset.ClassNames);

        var header = Safetensors.ReadHeader(modelPath).Metadata;
        ModelArchitecture.Require(modelPath, header, FashionModel.Architecture);
        var fp32 = FashionModel.Create(0);
        fp32.LoadSafetensors(modelPath);
        fp32.eval();
        var int8 = FashionModel.Create(0);
        int8.LoadSafetensors(modelPath);
        Int8Inference.Quantize(int8).eval();

        string directory = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "fashion-mnist-int8");
        Directory.CreateDirectory(directory);
        string onnxPath = fp32.ExportOnnx(Path.Combine(directory, "fashion_vit.onnx")).Path;
        string onnxInt8Path = int8.ExportOnnx(Path.Combine(directory, "fashion_vit.int8.onnx")).Path;

        var (images, labelTensor) = test.WithTransform(ImageTransform.Normalize([FashionMnistDataset.Mean], [FashionMnistDataset.Std])).MakeBatch(Enumerable.Range(0, test.Count).ToArray());
        int classes = FashionMnistDataset.ClassNames.Count;
        var engines = new List<Engine>
        {
            TorchEngine("ShapedVit float32", fp32, images, ScalarType.Float32),
            TorchEngine("ShapedVit int8", int8, images, ScalarType.Float32),
            OrtEngine("ORT float32 ORT_ENABLE_ALL", onnxPath, GraphOptimizationLevel.ORT_ENABLE_ALL, images, classes, options.Threads),
            OrtEngine("ORT int8 ORT_ENABLE_ALL", onnxInt8Path, GraphOptimizationLevel.ORT_ENABLE_ALL, images, classes, options.Threads),
        };
        try
        {
            var rows = new List<string[]>();
            double scale = 0;
            foreach (int batch in FashionBatches)
            {
                var logits = engines.Select(engine =>
                {
                    var all = new float[test.Count * classes];
                    for (int start = 0; start < test.Count; start += batch)
                    {
                        using var chunk = images.narrow(0, start, Math.Min(batch, test.Count - start));
                        engine.Logits(chunk).CopyTo(all, start * classes);
                    }
                    Console.Error.WriteLine($"  {engine.Name}, batch {batch}: {test.Count} test images");
                    return all;
                }).ToList();
                var float32 = logits[0];
                scale = Math.Max(scale, float32.Max(Math.Abs));
                for (int e = 0; e < engines.Count; e++)
                {
                    var (maxDifference, agreement) = Compare(logits[e], float32, test.Count);
                    double meanDifference = logits[e].Zip(float32, (a, b) => (double)Math.Abs(a - b)).Average();
                    rows.Add(new[]
                    {
                        engines[e].Name, batch.ToString(CultureInfo.InvariantCulture),
                        $"{100.0 * Correct(logits[e], test.Labels, classes) / test.Count:0.00} %",
                        $"{agreement}/{test.Count}",
                        maxDifference.ToString("0.00e+0", CultureInfo.InvariantCulture),
                        meanDifference.ToString("0.00e+0", CultureInfo.InvariantCulture),
                    });
                }
            }

            report.Heading("int8 accuracy on the Fashion-MNIST test set (a trained FashionMnist sample model)");
            report.Line($"CPU: {Harness.CpuModel()}; checkpoint {modelPath} ({FashionModel.Architecture}; test accuracy recorded in it: " +
                        $"{header.GetValueOrDefault("shapedvit.test_accuracy", "?")}); {test.Count} test images from {data}; logits up to {Harness.Format(scale)} in magnitude; " +
                        $"int8: {Int8Inference.Status}; ORT {OrtVersion()}, ORT int8 file: this project's export of the Int8Inference model (DynamicQuantizeMatMul). " +
                        "Every difference is from ShapedVit float32 at the same images per call.");
            report.Line("");
            report.Table(new[] { "engine", "images per call", "test accuracy", "top-1 = float32", "max abs logit difference", "mean abs logit difference" }, rows);
        }
        finally
        {
            foreach (var engine in engines) engine.Dispose();
            images.Dispose();
            labelTensor.Dispose();
            fp32.Dispose();
            int8.Dispose();
        }
    }

    private static int Correct(float[] logits, IReadOnlyList<int> labels, int classes)
    {
        int correct = 0;
        for (int b = 0; b < labels.Count; b++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (logits[b * classes + c] > logits[b * classes + best]) best = c;
            if (best == labels[b]) correct++;
        }
        return correct;
    }
}
