using System.Diagnostics;
using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>Every failure throws one OnnxExportException with a one-line message and leaves no file (a previous export stays whole).</summary>
public class FailureTests(ITestOutputHelper output)
{
    private const string Previous = "the previous export";

    private static OnnxExportException ExportFails(IVisionTransformer vit, TempFolder folder, OnnxExportOptions? options = null, string file = "model.onnx")
    {
        File.WriteAllText(folder.File(file), Previous);
        var error = Assert.Throws<OnnxExportException>(() => vit.ExportOnnx(folder.File(file), options));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal([file], folder.Files()); // no temporary file, no external data, nothing partial
        Assert.Equal(Previous, File.ReadAllText(folder.File(file)));
        return error;
    }

    [Theory]
    [InlineData(false, 0)]   // inline weights: the model file fails
    [InlineData(true, 0)]    // external data: the data file fails
    [InlineData(true, 1)]    // external data written, then the model file fails
    public void A_full_disk_leaves_no_file(bool external, int failingStream)
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        using var folder = new TempFolder();
        int streams = 0;
        var error = ExportFails(vit, folder, new OnnxExportOptions
        {
            ExternalDataThreshold = external ? 0 : OnnxExportOptions.DefaultExternalDataThreshold,
            WrapStreamForTests = stream => streams++ == failingStream ? new FullDiskStream(stream, capacity: 1000) : stream,
        });
        output.WriteLine(error.Message);
        Assert.Contains("No space left on device", error.Message);
        Assert.StartsWith($"Could not write {folder.File("model.onnx")}", error.Message);
    }

    [Fact]
    public void A_really_full_file_system_leaves_no_file()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        using var folder = new TempFolder();
        string small = Directory.CreateDirectory(folder.File("small")).FullName;
        if (!Mount(small)) { output.WriteLine("tmpfs cannot be mounted here (not root?): covered by the simulated full disk only"); return; }
        try
        {
            var error = Assert.Throws<OnnxExportException>(() => vit.ExportOnnx(Path.Combine(small, "model.onnx")));
            output.WriteLine(error.Message);
            Assert.Contains("No space left on device", error.Message);
            Assert.Empty(Directory.GetFileSystemEntries(small));
        }
        finally { Run("umount", small); }
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void A_model_that_is_not_float32_is_refused(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        ((nn.Module)vit).to(dtype);
        using var folder = new TempFolder();
        var error = ExportFails(vit, folder);
        output.WriteLine(error.Message);
        Assert.Contains($"is {dtype}", error.Message);
        Assert.Contains("float32", error.Message);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(22)]
    public void An_unsupported_opset_is_refused(int opset)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var error = ExportFails(ParityTests.Create(nameof(TorchvisionMicro)), folder, new OnnxExportOptions { Opset = opset });
        Assert.Contains($"opset {opset}", error.Message);
        Assert.Contains("17 to 21", error.Message);
    }

    [Fact]
    public void A_reserved_metadata_key_is_refused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var error = ExportFails(ParityTests.Create(nameof(TorchvisionMicro)), folder,
            new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["shapedvit.model"] = "x" } });
        Assert.Contains("'shapedvit.model' is reserved", error.Message);
    }

    [Fact]
    public void Checkpoint_metadata_that_claims_an_export_key_is_refused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        var metadata = CheckpointMetadata.For(vit) with { Extra = new Dictionary<string, string> { [OnnxMetadataKeys.ShapeTrace] = "x" } };
        var error = ExportFails(vit, folder, new OnnxExportOptions { CheckpointMetadata = metadata });
        Assert.Equal("Cannot export TorchvisionMicro to ONNX: the checkpoint metadata has a 'shapedvit.shape_trace', which the exporter writes itself.", error.Message);
    }

    [Fact]
    public void A_module_the_exporter_does_not_know_is_refused()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        ((nn.Module)vit).register_module("extra", nn.ReLU());
        using var folder = new TempFolder();
        var error = ExportFails(vit, folder);
        Assert.Equal("TorchvisionMicro cannot be exported to ONNX: its module 'extra' is a ReLU, which the exporter does not know.", error.Message);
    }

    [Fact]
    public void A_tensor_the_exporter_does_not_know_is_refused()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(TorchvisionMicro));
        ((nn.Module)vit).register_buffer("temperature", torch.ones(1));
        using var folder = new TempFolder();
        var error = ExportFails(vit, folder);
        Assert.Equal("TorchvisionMicro cannot be exported to ONNX: the exporter does not know what to do with temperature.", error.Message);
    }

    [Fact]
    public void A_folder_as_the_path_is_refused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("model.onnx"));
        var error = Assert.Throws<OnnxExportException>(() => ParityTests.Create(nameof(TorchvisionMicro)).ExportOnnx(folder.File("model.onnx")));
        Assert.EndsWith("is a folder.", error.Message);
    }

    [Fact]
    public void A_model_in_training_mode_exports_its_evaluation_computation()
    {
        using var scope = NewDisposeScope();
        var vit = ParityTests.Create(nameof(EveryOptionVit)); // dropouts, drop path and patch dropout: random in training
        var module = (nn.Module)vit;
        module.train();
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"));
        Assert.True(module.training); // the export does not change the model
        module.eval();
        using var session = Ort.Session(result.Path);
        Assert.InRange(Parity.MaxDifference(vit, session, 3, seed: 9).Output, 0, ParityTests.Tolerance);
    }

    private static bool Mount(string folder) =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && Run("mount", $"-t tmpfs -o size=64k tmpfs {folder}");

    private static bool Run(string command, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>A stream that fails as a full disk does after <c>capacity</c> bytes.</summary>
    private sealed class FullDiskStream(Stream inner, long capacity) : Stream
    {
        private long written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (written + buffer.Length > capacity) throw new IOException("No space left on device");
            inner.Write(buffer);
            written += buffer.Length;
        }
    }
}
