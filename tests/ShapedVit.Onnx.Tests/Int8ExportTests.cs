using Onnx;
using ShapedVit.Inference;
using TorchSharp;
using Xunit.Abstractions;
using static ShapedVit.Onnx.Tests.TestSupport;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// A model quantized with <see cref="Int8Inference"/> exports as it runs: its blocks' Linears as ONNX Runtime's
/// DynamicQuantizeMatMul (int8 weights per output column, inputs uint8 per call), and ONNX Runtime gives the int8
/// model's numbers.
/// </summary>
public class Int8ExportTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() => new() { nameof(TorchvisionMicro), nameof(EveryOptionVit), nameof(MeanPoolVit), nameof(VitTi16) };

    [Theory, MemberData(nameof(Models))]
    public void Onnx_runtime_computes_what_the_int8_model_computes(string name)
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(name);
        var spec = vit.Spec;
        var module = (nn.Module<Tensor, Tensor>)vit;
        var images = Images(4, spec.Channels, spec.ImageHeight, spec.ImageWidth, seed: 61);
        Tensor float32;
        using (torch.no_grad()) float32 = module.call(images).clone();

        Int8Inference.Quantize(module);
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File(name + ".int8.onnx"), new OnnxExportOptions { IncludePooledFeatures = true });

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        var quantized = model.Graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul").ToList();
        Assert.Equal(4 * spec.Depth, quantized.Count); // qkv, proj, fc1, fc2 of every block
        Assert.All(quantized, n => Assert.Equal("com.microsoft", n.Domain));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Gemm" && n.Name.StartsWith("blocks.", StringComparison.Ordinal));
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);
        Assert.Equal((int)TensorProto.Types.DataType.Int8, model.Graph.Initializer.Single(i => i.Name == "blocks.0.attn.qkv.weight.int8").DataType);

        using var session = Ort.Session(result.Path);
        var (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, 4, seed: 0, images);
        var ort = Ort.Run(session, Values(images), images.shape)[spec.NumClasses > 0 ? "logits" : "features"];
        double fromFloat32 = MaxAbsDiff(Values(float32), ort);
        output.WriteLine($"{name}: max |ORT int8 - ShapedVit int8| = {difference:E2} (pooled {pooled:E2}; outputs up to {magnitude:F3}); max |ORT int8 - float32| = {fromFloat32:E2}");
        // Both quantize the same way; a value that lands on the other side of a rounding step (float32 sums in another
        // order) moves one output by about one activation step times its weights, so far less than 1 % of the outputs' size.
        Assert.InRange(difference, 0, 1e-2 * magnitude);
        Assert.True(fromFloat32 > difference, "ORT's int8 outputs are closer to float32 than to ShapedVit's int8 ones: the export did not quantize as the model runs");
        Int8Inference.Dequantize(module);
        ((nn.Module)vit).Dispose();
    }

    [Fact]
    public void An_unquantized_model_exports_float32_only()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("float32.onnx"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "DynamicQuantizeMatMul");
        Assert.DoesNotContain(model.OpsetImport, o => o.Domain == "com.microsoft");
        ((nn.Module)vit).Dispose();
    }
}
