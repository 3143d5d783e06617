using Onnx;
using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>What the file holds: opset, names and shapes, timm-named initializers and nodes, metadata, standard operators only.</summary>
public class GraphTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> StandardOps =
    [
        "Conv", "Reshape", "Transpose", "Shape", "Concat", "Expand", "Add", "LayerNormalization", "Gemm", "Split", "MatMul", "Mul",
        "Softmax", "Div", "Erf", "Gather", "Slice", "ReduceMean", "Tanh", "Identity",
    ];

    [Fact]
    public void Inputs_outputs_initializers_and_node_names_are_the_documented_ones()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(RegisterVit));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { IncludePooledFeatures = true });
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("", model.OpsetImport[0].Domain);
        Assert.All(model.Graph.Node, node => Assert.Equal("", node.Domain)); // no custom operator domain
        Assert.Subset(StandardOps, model.Graph.Node.Select(n => n.OpType).ToHashSet());

        Assert.Equal("images", Assert.Single(model.Graph.Input).Name);
        Assert.Equal(["batch", "3", "64", "64"], Dims(model.Graph.Input[0]));
        Assert.Equal(["logits", "pooled"], model.Graph.Output.Select(o => o.Name));
        Assert.Equal(["batch", "100"], Dims(model.Graph.Output[0]));
        Assert.Equal(["batch", "128"], Dims(model.Graph.Output[1]));
        Assert.Equal("images [batch,3,64,64]", result.Input);
        Assert.Equal([("logits", "[batch,100]"), ("pooled", "[batch,128]")], result.Outputs);

        // Every state_dict tensor is one float32 initializer under its timm key, with its shape and values.
        var state = ((nn.Module)vit).state_dict();
        var weights = model.Graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Float && i.Dims.Count > 0).ToDictionary(i => i.Name);
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), weights.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in state)
        {
            Assert.Equal(tensor.shape, weights[key].Dims);
            Assert.Equal(TestSupport.Values(tensor), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weights[key].RawData.Span).ToArray());
        }
        Assert.Equal(RegisterVit.ParameterCount * 4, result.WeightBytes);

        // Nodes carry the timm module names, so Netron shows the ViT's structure.
        var names = model.Graph.Node.Select(n => n.Name).ToHashSet();
        foreach (var name in new[] { "patch_embed.proj", "cls_token.expand", "reg_token.expand", "pos_embed.add", "norm", "head" })
            Assert.Contains(name, names);
        for (int i = 0; i < RegisterVit.Depth; i++)
            foreach (var part in new[] { "norm1", "attn.qkv", "attn.softmax", "attn.proj", "ls1", "norm2", "mlp.fc1", "mlp.act", "mlp.fc2", "ls2" })
                Assert.Contains($"blocks.{i}.{part}", names);
        Assert.Equal(1e-6f, model.Graph.Node.Single(n => n.Name == "blocks.3.norm2").Attribute.Single(a => a.Name == "epsilon").F);
    }

    [Fact]
    public void Metadata_holds_the_spec_shapes_and_the_callers_pairs()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(EveryOptionVit));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions
        {
            Metadata = new Dictionary<string, string> { ["licence"] = "CC-BY-4.0", ["source"] = "unit test" },
        });
        using var session = Ort.Session(result.Path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        foreach (var (key, value) in metadata) output.WriteLine($"{key} = {value}");
        Assert.Equal("CC-BY-4.0", metadata["licence"]);
        Assert.Equal("unit test", metadata["source"]);
        // Without checkpoint metadata, the model's own name and architecture (CheckpointMetadata.For).
        Assert.Equal(nameof(EveryOptionVit), metadata[CheckpointMetadataKeys.ModelName]);
        Assert.Equal(ModelArchitecture.Describe(nameof(EveryOptionVit), vit.Spec), metadata[CheckpointMetadataKeys.Architecture]);
        Assert.Equal(EveryOptionVit.ShapeTrace, metadata[OnnxMetadataKeys.ShapeTrace]);
        Assert.Equal(EveryOptionVit.ParameterCount.ToString(), metadata[OnnxMetadataKeys.Parameters]);
        Assert.Equal("images [batch,2,24,40] float32", metadata[OnnxMetadataKeys.Input]);
        Assert.Equal("logits [batch,7] float32", metadata[OnnxMetadataKeys.Outputs]);
        var declared = System.Text.Json.JsonDocument.Parse(metadata[OnnxMetadataKeys.Spec]).RootElement;
        Assert.Equal(1e-5, declared.GetProperty("layer_norm_eps").GetDouble(), 12);
        Assert.Equal(32, declared.GetProperty("representation_size").GetInt32());
        Assert.False(declared.GetProperty("qkv_bias").GetBoolean());
        Assert.True(declared.GetProperty("layer_scale").GetBoolean());
        Assert.Equal("ShapedVit.Onnx", session.ModelMetadata.ProducerName);

        // ONNX Runtime reads the same names and shapes: only the batch is dynamic.
        Assert.Equal([-1, 2, 24, 40], session.InputMetadata["images"].Dimensions);
        Assert.Equal([-1, 7], session.OutputMetadata["logits"].Dimensions);
        Assert.Equal(["batch", "", "", ""], session.InputMetadata["images"].SymbolicDimensions);
    }

    [Fact]
    public void Checkpoint_metadata_reads_back_from_the_onnx_runtime_session()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        string[] labels = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        var written = CheckpointMetadata.For(vit, labels, PreprocessConfig.ImageNet(32), name: "vit_micro") with
        {
            Extra = new Dictionary<string, string> { ["trained_by"] = "unit test" },
        };
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { CheckpointMetadata = written });
        using var session = Ort.Session(result.Path);
        var read = CheckpointMetadata.Parse(session.ModelMetadata.CustomMetadataMap);
        Assert.Equal("vit_micro", read.ModelName);
        Assert.Equal(written.Architecture, read.Architecture);
        Assert.Equal(labels, read.Labels);
        Assert.Equal(PreprocessConfig.ImageNet(32), read.Preprocessing);
        Assert.Equal("unit test", read.Extra["trained_by"]);
        Assert.Equal(TorchvisionMicro.ShapeTrace, read.Extra[OnnxMetadataKeys.ShapeTrace]);
    }

    [Fact]
    public void Onnx_runtime_fuses_the_erf_gelu_pattern_and_keeps_layer_normalization()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"));
        string optimized = folder.File("optimized.onnx");
        using (Ort.Session(result.Path, optimized)) { }
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized));
        var ops = model.Graph.Node.GroupBy(n => (n.Domain.Length > 0 ? n.Domain + "." : "") + n.OpType).OrderBy(g => g.Key)
                       .Select(g => $"{g.Key} x{g.Count()}").ToList();
        output.WriteLine("optimised graph: " + string.Join(", ", ops));
        // The erf GELU pattern became ORT's fused (Bias)Gelu: no Erf is left.
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Erf");
        Assert.Contains(model.Graph.Node, n => n.OpType is "Gelu" or "BiasGelu" or "FastGelu");
        Assert.Contains(model.Graph.Node, n => n.OpType is "LayerNormalization" or "SkipLayerNormalization");
    }

    [Theory]
    [InlineData(18)]
    [InlineData(21)]
    public void Newer_opsets_export_and_run(int opset)
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(MeanPoolWithPrefixVit)); // ReduceMean: axes became an input in opset 18
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { Opset = opset });
        Assert.Equal(opset, ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path)).OpsetImport[0].Version);
        using var session = Ort.Session(result.Path);
        Assert.InRange(Parity.MaxDifference(vit, session, 3, seed: 3).Output, 0, ParityTests.Tolerance);
    }

    private static string[] Dims(ValueInfoProto value) =>
        value.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString()).ToArray();
}
