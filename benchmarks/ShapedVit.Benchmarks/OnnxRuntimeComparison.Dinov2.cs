using Microsoft.ML.OnnxRuntime;
using ShapedVit.Inference;
using ShapedVit.Models;
using ShapedVit.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

public static partial class OnnxRuntimeComparison
{
    /// <summary>timm's name of the attention-heavy model: DINOv2 ViT-S/14 with 4 registers at 518 px, 1 + 4 + 37² = 1,374 tokens.</summary>
    public const string Dinov2Name = "vit_small_patch14_reg4_dinov2";

    /// <summary>Classes of the random head the comparison gives the (headless) DINOv2 backbone, so every engine returns logits.</summary>
    private const int Dinov2Classes = 1000;

    /// <summary>
    /// `ort-dinov2`: the `ort` comparison on an attention-heavy model, DINOv2 ViT-S/14 with 4 registers at 518 px, where
    /// attention over 1,374 tokens is a large share of the work (ViT-B/16 at 224 px has 197). Weights: timm's seeded
    /// initialisation (speed does not depend on them) with a random 1000-class head, and the layer-scale factors set
    /// to 1: at timm's initial 1e-5 the blocks would add almost nothing to the output, and the fidelity rows would not
    /// see their error. Images: seeded normal noise. Every engine is compared with ShapedVit float32.
    /// </summary>
    public static void RunDinov2(Report report, Options options)
    {
        nn.Module<Tensor, Tensor> Copy()
        {
            var model = Timm.Create(Dinov2Name, numClasses: Dinov2Classes, seed: 1);
            using (var noGrad = torch.no_grad())
            {
                foreach (var (name, parameter) in model.named_parameters())
                    if (name.EndsWith(".ls1.gamma", StringComparison.Ordinal) || name.EndsWith(".ls2.gamma", StringComparison.Ordinal))
                    {
                        using var ones = torch.ones_like(parameter);
                        parameter.copy_(ones);
                    }
            }
            model.eval();
            return model;
        }

        using var fp32 = Copy();
        var spec = ((IVisionTransformer)fp32).Spec;
        int largest = (options.Batches ?? new[] { 8, 1 }).Max();
        using var images = torch.randn(new long[] { largest, spec.Channels, spec.ImageHeight, spec.ImageWidth }, generator: new Generator(7));
        using var bf16 = BFloat16Inference.ToBFloat16(Copy());
        using var int8 = Int8Inference.Quantize(Copy());
        using var fp32Frozen = FrozenWeights.Freeze(Copy());
        using var int8Frozen = FrozenWeights.Freeze(Int8Inference.Quantize(Copy()));
        string directory = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", Dinov2Name);
        Directory.CreateDirectory(directory);
        string onnxPath = Path.Combine(directory, $"{Dinov2Name}.onnx");
        var export = ((IVisionTransformer)fp32).ExportOnnx(onnxPath);
        Console.Error.WriteLine($"exported {export.Path} ({new FileInfo(export.Path).Length:N0} bytes, opset {export.Opset}, input {export.Input})");
        string onnxInt8Path = Path.Combine(directory, $"{Dinov2Name}.int8.onnx");
        var exportInt8 = ((IVisionTransformer)int8).ExportOnnx(onnxInt8Path);
        Console.Error.WriteLine($"exported {exportInt8.Path} ({new FileInfo(exportInt8.Path).Length:N0} bytes, DynamicQuantizeMatMul)");

        var engines = Filtered(options, new List<Engine>
        {
            TorchEngine("ShapedVit float32", fp32, images, ScalarType.Float32),
            // The allocator lever: the same model with glibc mapping blocks above 32 MiB one by one again around its calls.
            TorchEngine("ShapedVit float32, large blocks mapped", fp32, images, ScalarType.Float32, mapLargeBlocks: true),
            // The attention lever: the same model with libtorch's scaled_dot_product_attention forced around its calls.
            TorchEngine("ShapedVit float32, attention on SDPA", fp32, images, ScalarType.Float32, oneDnnAttention: false),
            TorchEngine("ShapedVit bfloat16", bf16, images, ScalarType.BFloat16),
            TorchEngine("ShapedVit int8", int8, images, ScalarType.Float32),
            TorchEngine("ShapedVit float32, frozen weights", fp32Frozen, images, ScalarType.Float32),
            TorchEngine("ShapedVit int8, frozen weights", int8Frozen, images, ScalarType.Float32),
            OrtEngine("ORT float32 ORT_ENABLE_ALL", onnxPath, GraphOptimizationLevel.ORT_ENABLE_ALL, images, Dinov2Classes, options.Threads),
            OrtEngine("ORT int8 ORT_ENABLE_ALL", onnxInt8Path, GraphOptimizationLevel.ORT_ENABLE_ALL, images, Dinov2Classes, options.Threads),
        });
        try
        {
            // The reference is ShapedVit float32 itself, computed here even when --only leaves its engine out.
            float[] reference;
            using (var inference = torch.inference_mode())
            using (var scope = NewDisposeScope())
                reference = fp32.forward(images).data<float>().ToArray();
            long tokens = ((IVisionTransformer)fp32).Geometry.SequenceLength;
            CompareInRounds(report, options, engines, images, reference, "ShapedVit float32",
                $"ShapedVit against ONNX Runtime: DINOv2 ViT-S/14 with 4 registers at {spec.ImageHeight} px ({tokens:N0} tokens), alternating in one process",
                $"`{Dinov2Name}` (`Timm.Create`, seed 1, a random {Dinov2Classes}-class head, layer-scale factors set to 1), " +
                $"{largest} images of seeded normal noise; ONNX file: this project's export at a fixed {spec.ImageHeight}x{spec.ImageWidth} (opset {export.Opset}); {EngineSettings(options)}");
        }
        finally
        {
            foreach (var engine in engines) engine.Dispose();
        }
    }
}
