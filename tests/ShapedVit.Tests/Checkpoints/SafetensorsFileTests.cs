using ShapedVit.Checkpoints;
using ShapedVit.IO;
using System.Buffers.Binary;
using System.Text.Json;
using ShapedVit.Testing;
using TorchSharp;

namespace ShapedVit.Tests.Checkpoints;

public class SafetensorsFileTests
{
    [Fact]
    public void Checkpoints_round_trip_tensors_and_metadata_in_the_safetensors_layout()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.safetensors");
        using var a = torch.tensor(new float[] { 1.5f, -2f, 3f, 4f, 5f, 6f }).reshape(2, 3);
        using var b = torch.tensor(new long[] { 7, -8 });
        Safetensors.Write(path, [KeyValuePair.Create("a", a), KeyValuePair.Create("b", b)], new Dictionary<string, string> { ["k"] = "v" });

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (long)headerLength + 6 * 4 + 2 * 8, bytes.LongLength);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal("F32", header.RootElement.GetProperty("a").GetProperty("dtype").GetString());
        Assert.Equal("I64", header.RootElement.GetProperty("b").GetProperty("dtype").GetString());

        using var read = Safetensors.ReadAll(path);
        Assert.Equal("v", read.Metadata["k"]);
        Assert.Equal(new long[] { 2, 3 }, read.Tensors["a"].shape);
        Assert.Equal(new float[] { 1.5f, -2f, 3f, 4f, 5f, 6f }, read.Tensors["a"].data<float>().ToArray());
        Assert.Equal(new long[] { 7, -8 }, read.Tensors["b"].data<long>().ToArray());
    }

    [Fact]
    public void Writing_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.bin");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("disk full"); }));
        Assert.Equal("old", File.ReadAllText(path));
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["x.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 255, 255, 255, 255, 255, 255, 255, 127, 0 })]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, (byte)'n', (byte)'o', (byte)'p', (byte)'e' })]
    public void Corrupt_files_are_refused_naming_the_file(byte[] bytes)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => Safetensors.ReadAll(path));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
