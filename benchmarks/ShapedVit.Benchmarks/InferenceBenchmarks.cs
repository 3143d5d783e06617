using ShapedVit.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Items 1-4 of the issue: generated vs native inference, matmul rates and roofline, bfloat16 inference. Everything that
/// is compared (generated, native, the matmuls, bfloat16) is timed in interleaved rounds, so that load from other users
/// of the machine falls on all of them alike.
/// </summary>
public static class InferenceBenchmarks
{
    private const double Flop = 2.0; // one multiply-accumulate

    /// <summary>One forward of <paramref name="model"/> on <paramref name="images"/> under inference_mode.</summary>
    internal static Action Forward(nn.Module<Tensor, Tensor> model, Tensor images) => () =>
    {
        using var inference = torch.inference_mode();
        using var scope = NewDisposeScope();
        model.forward(images);
    };

    private static Action Matmul(Tensor a, Tensor b) => () =>
    {
        using var inference = torch.inference_mode();
        using var product = a.matmul(b);
    };

    public static void Run(Report report, Options options, ISet<string> sections)
    {
        bool native = sections.Contains("native"), bf16 = sections.Contains("bf16"), roofline = sections.Contains("roofline");
        using var generated = new VitB16(seed: 1);
        using var nativeModel = native ? new NativeEncoderVit() : null;
        using var bf16Model = bf16 ? BFloat16Inference.ToBFloat16(new VitB16(seed: 1)) : null;
        generated.eval(); nativeModel?.eval(); bf16Model?.eval();

        var rows = new List<string[]>();
        var summary = new List<string>();
        foreach (int batch in new[] { 8, 1 })
        {
            using var images = torch.randn(batch, 3, 224, 224);
            using var bf16Images = images.to(ScalarType.BFloat16);
            var actions = new List<(string, Action)> { ($"generated ViT-B/16, float32, batch {batch}", Forward(generated, images)) };
            if (nativeModel is not null) actions.Add(($"libtorch TransformerEncoder ViT-B/16, float32, batch {batch}", Forward(nativeModel, images)));
            if (bf16Model is not null) actions.Add(($"generated ViT-B/16, bfloat16 (LayerNorm f32), batch {batch}", Forward(bf16Model, bf16Images)));
            // Batch 1 is cheap: more repetitions for the same confidence.
            var timings = Harness.MeasureInterleaved(options.Warmups, batch == 1 ? options.Repetitions * 2 : options.Repetitions, actions.ToArray());
            foreach (var t in timings) rows.Add(Row(t, batch));
            double Rate(int i) => batch / timings[i].Median;
            if (nativeModel is not null) summary.Add($"Ratio generated / native images/s at batch {batch}: **{Harness.Format(Rate(0) / Rate(1))}**" + (batch == 8 ? " (target >= 1.0)." : "."));
            if (bf16Model is not null) summary.Add($"bfloat16 / float32 images/s at batch {batch}: **{Harness.Format(Rate(timings.Length - 1) / Rate(0))}x**" + (batch == 8 ? " (target >= 3x)." : "."));
        }
        report.Heading("Inference (torch.inference_mode, random weights)");
        report.Table(new[] { "model", "batch", "median ms / batch", "images/s (median)", "min-max ms", "CPU share", "load 1-min" }, rows);
        report.Line("");
        foreach (var line in summary) report.Line("- " + line);

        if (roofline) Roofline(report, options, generated, bf16Model);
    }

    /// <summary>Matmul rates, each interleaved with the generated model's batch-8 forward of the same dtype.</summary>
    private static void Roofline(Report report, Options options, VitB16 generated, VitB16? bf16Model)
    {
        long n = options.MatmulSize;
        double flopPerImage = Flop * VitB16.Macs;
        var rows = new List<string[]>();
        foreach (var (dtype, model) in new[] { (ScalarType.Float32, (VitB16?)generated), (ScalarType.BFloat16, bf16Model) })
        {
            using var a = torch.randn(n, n).to(dtype);
            using var b = torch.randn(n, n).to(dtype);
            using var images = torch.randn(8, 3, 224, 224).to(dtype);
            var actions = new List<(string, Action)> { ($"matmul {n}^3 {dtype}", Matmul(a, b)) };
            if (model is not null) actions.Add(($"generated ViT-B/16 {dtype} batch 8 (beside the matmul)", Forward(model, images)));
            var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions, actions.ToArray());
            double rate = Flop * n * n * n / timings[0].Median;
            double roof = rate / flopPerImage;
            double achieved = model is null ? double.NaN : 8 / timings[1].Median;
            rows.Add(new[]
            {
                dtype.ToString(), Harness.Format(timings[0].Median * 1e3), Harness.Format(rate / 1e9, 1), Harness.Format(roof),
                Harness.Format(achieved), Percent(achieved / roof), Harness.Format(achieved * flopPerImage / 1e9, 1), Harness.Format(timings[0].CpuShare), Harness.Format(timings[0].LoadBefore),
            });
        }
        report.Heading("Matrix-multiply rate and ViT-B/16 roofline");
        report.Table(new[] { "dtype", $"matmul {n}^3 median ms", "matmul GFLOP/s", "roofline ViT-B/16 images/s", "generated batch 8 images/s", "fraction of roofline", "model GFLOP/s", "CPU share", "load 1-min" }, rows);
        report.Line("");
        report.Line($"ViT-B/16: {VitB16.Macs:N0} MACs per image = {Harness.Format(flopPerImage / 1e9, 1)} GFLOP; roofline images/s = matmul rate / (MACs x 2). Target: >= 75% of the float32 roofline.");
    }

    private static string Percent(double fraction) => double.IsNaN(fraction) ? "n/a" : Harness.Format(fraction * 100, 1) + " %";

    private static string[] Row(Timing timing, int batch) => new[]
    {
        timing.Name, batch.ToString(), Harness.Format(timing.Median * 1e3, 1), Harness.Format(batch / timing.Median),
        $"{Harness.Format(timing.Min * 1e3, 0)}-{Harness.Format(timing.Max * 1e3, 0)}", Harness.Format(timing.CpuShare), Harness.Format(timing.LoadBefore),
    };
}
