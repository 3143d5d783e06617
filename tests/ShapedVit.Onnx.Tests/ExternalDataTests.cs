using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>Past the threshold (2 GB by default; lowered here) the weights go to MODEL.onnx.HASH.data in ONNX's external-data format.</summary>
public class ExternalDataTests(ITestOutputHelper output)
{
    [Fact]
    public void Weights_past_the_threshold_go_to_an_external_data_file_that_onnx_runtime_loads()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(RegisterVit));
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { ExternalDataThreshold = 1 << 20, IncludePooledFeatures = true });
        string dataFile = Path.GetFileName(result.ExternalDataPath!);
        Assert.Equal(folder.File(dataFile), result.ExternalDataPath);
        Assert.Matches("^model\\.onnx\\.[0-9a-f]{16}\\.data$", dataFile); // named after its content: see ExportCrashTests
        Assert.Equal(["model.onnx", dataFile], folder.Files());
        long model = new FileInfo(result.Path).Length, data = new FileInfo(result.ExternalDataPath!).Length;
        output.WriteLine($"model.onnx {model:N0} bytes, {dataFile} {data:N0} bytes ({result.WeightBytes:N0} bytes of weights)");
        Assert.True(model < 100_000);
        Assert.True(data >= result.WeightBytes);

        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        var qkv = proto.Graph.Initializer.Single(i => i.Name == "blocks.0.attn.qkv.weight");
        Assert.Equal(TensorProto.Types.DataLocation.External, qkv.DataLocation);
        Assert.Equal(dataFile, qkv.ExternalData.Single(e => e.Key == "location").Value);
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(result.ExternalDataPath!)))[..16];
        Assert.Equal($"model.onnx.{hash}.data", dataFile);
        Assert.Equal(0, long.Parse(qkv.ExternalData.Single(e => e.Key == "offset").Value) % 4096);

        using var session = Ort.Session(result.Path);
        foreach (long batch in new[] { 1L, 3L })
        {
            var (difference, pooled, _) = Parity.MaxDifference(vit, session, batch, seed: batch);
            Assert.InRange(difference, 0, ParityTests.Tolerance);
            Assert.InRange(pooled, 0, ParityTests.Tolerance);
        }
    }

    [Fact]
    public void Below_the_threshold_the_weights_are_inline()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var result = ParityTests.Create(nameof(TorchvisionMicro)).ExportOnnx(folder.File("model.onnx"));
        Assert.Null(result.ExternalDataPath);
        Assert.Equal(["model.onnx"], folder.Files());
    }
}
