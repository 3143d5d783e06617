using Google.Protobuf;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>The comparison can fail: an export with one planted fault differs from the model by more than the tolerance.</summary>
public class PlantedFaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("epsilon 1e-5 instead of 1e-6 in blocks.0.norm1")]
    [InlineData("blocks.1.attn.qkv without its bias")]
    [InlineData("blocks.0.mlp.act with tanh in place of erf")]
    [InlineData("class token position embedding row dropped")]
    public void A_planted_fault_fails_the_comparison(string fault)
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"));

        // Sound export first: within the tolerance.
        using (var session = Ort.Session(result.Path))
            Assert.InRange(Parity.MaxDifference(vit, session, 3, seed: 5).Output, 0, ParityTests.Tolerance);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        var nodes = model.Graph.Node;
        switch (fault)
        {
            case var f when f.StartsWith("epsilon"):
                nodes.Single(n => n.Name == "blocks.0.norm1").Attribute.Single(a => a.Name == "epsilon").F = 1e-5f;
                break;
            case var f when f.Contains("qkv"):
                var qkv = nodes.Single(n => n.Name == "blocks.1.attn.qkv");
                qkv.Input.RemoveAt(2);
                var bias = model.Graph.Initializer.Single(i => i.Name == "blocks.1.attn.qkv.bias");
                model.Graph.Initializer.Remove(bias);
                break;
            case var f when f.Contains("erf"):
                var erf = nodes.Single(n => n.Name == "blocks.0.mlp.act.erf");
                erf.OpType = "Tanh";
                break;
            default:
                var positions = model.Graph.Initializer.Single(i => i.Name == "pos_embed");
                var values = positions.RawData.ToByteArray();
                Array.Clear(values, 0, 64 * sizeof(float)); // the class token's row
                positions.RawData = ByteString.CopyFrom(values);
                break;
        }
        File.WriteAllBytes(result.Path, model.ToByteArray());

        using var faulty = new Microsoft.ML.OnnxRuntime.InferenceSession(result.Path);
        double difference = Parity.MaxDifference(vit, faulty, 3, seed: 5).Output;
        output.WriteLine($"{fault}: max |ORT - model| = {difference:E2}");
        Assert.True(difference > ParityTests.Tolerance, $"{fault}: the comparison should fail, but the difference is {difference:E2}");
    }
}
