using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>The warning check is not vacuous: a model ORT warns about fails it.</summary>
public class OrtHarnessTests
{
    [Fact]
    public void A_warning_while_optimising_fails_the_session_check()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var result = ParityTests.Create(nameof(TorchvisionMicro)).ExportOnnx(folder.File("model.onnx"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        // An initializer no node uses: ORT's optimiser removes it and logs a warning.
        model.Graph.Initializer.Add(new TensorProto { Name = "unused", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 }, RawData = ByteString.CopyFrom(new byte[4]) });
        File.WriteAllBytes(result.Path, model.ToByteArray());

        var error = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Ort.Session(result.Path).Dispose());
        Assert.Contains("unused", error.Message);
    }
}
