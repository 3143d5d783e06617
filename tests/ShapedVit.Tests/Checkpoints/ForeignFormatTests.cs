using System.Text;
using ShapedVit.Checkpoints;
using ShapedVit.Testing;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>A file that is not safetensors is named for what it is, not as a nonsensical header length.</summary>
public class ForeignFormatTests
{
    private const string Convert = "convert it in Python with safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')";

    private static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(p => p switch { string s => Encoding.UTF8.GetBytes(s), byte[] b => b, int n => new byte[n], _ => throw new ArgumentException() }).ToArray();

    public static TheoryData<string, byte[], string> Files() => new()
    {
        { "zip", Bytes("PK\u0003\u0004\u0014\0\0\0\u0008\0", 300), $"a zip archive, the format of PyTorch's torch.save (.pt, .pth, .bin), not safetensors; {Convert}" },
        { "pickle", Bytes(new byte[] { 0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19 }, 100), $"a Python pickle, the format of older PyTorch checkpoints (.pt, .pth, .bin), not safetensors; {Convert}" },
        { "onnx", Bytes(new byte[] { 0x08, 0x07, 0x12, 0x07 }, "pytorch", new byte[] { 0x1A, 0x03 }, "2.1", 100), "an ONNX model (protobuf), not safetensors; it runs with ONNX Runtime, not LoadSafetensors" },
        { "gguf", Bytes("GGUF", new byte[] { 3, 0, 0, 0, 0x2A, 0, 0, 0 }, 100), "a GGUF file (llama.cpp's format), not safetensors" },
        { "png", Bytes(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D }, "IHDR", 100), "a PNG image, not a checkpoint" },
        { "jpeg", Bytes(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, "JFIF", 100), "a JPEG image, not a checkpoint" },
        { "gzip", Bytes(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0x5C, 0x3B, 0x10, 0x66 }, 100), "gzip-compressed; decompress it first (gunzip)" },
        { "lfs", Bytes("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 346293852\n"), "a Git LFS pointer, not the weights it points to; fetch them with git lfs pull" },
        { "html", Bytes("\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n"), "an HTML or XML page (it starts \"<!DOCTYPE html>\\n<html><head><tit...\"), perhaps an error or login page saved in place of the download" },
        { "json", Bytes("{\n  \"architecture\": \"vit_base_patch16_224\",\n  \"num_classes\": 1000\n}\n"), "a JSON document (it starts \"{\\n  \"architecture\": \"vit_base_pa...\"), perhaps a config.json or the index of a sharded checkpoint, not safetensors" },
        { "short json", Bytes("{}"), "a JSON document (it starts \"{}\"), perhaps a config.json or the index of a sharded checkpoint, not safetensors" },
        { "text", Bytes("hello, this is not a model\r\n"), "text (it starts \"hello, this is not a model\\r\\n\"), not safetensors" },
    };

    [Theory, MemberData(nameof(Files))]
    public void A_foreign_file_is_named_for_what_it_is(string name, byte[] bytes, string what)
    {
        using var folder = new TempDirectory();
        string path = folder.File(name + ".safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadHeader(path));
        Assert.Equal($"{path}: [NotSafetensors] the file is {what}.", error.Message);
        Assert.Equal(CheckpointRule.NotSafetensors, error.Rule);
    }

    [Fact]
    public void The_png_of_the_report_no_longer_reads_as_a_header_length()
    {
        // The reported "[HeaderTooLarge] the header length 727905341920923785": those 8 bytes are PNG's signature.
        Assert.Equal(727905341920923785UL, BitConverter.ToUInt64([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]));
    }

    [Fact]
    public void Unrecognised_bytes_keep_the_format_rule_that_failed()
    {
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadAll(Bytes(new byte[] { 0xFF, 0xFE, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05 }, 10)));
        Assert.Equal(CheckpointRule.HeaderTooLarge, error.Rule);
    }

    /// <summary>Property: a valid safetensors file is never taken for another format, whatever its first tensor's name.</summary>
    [Fact]
    public void Valid_files_are_never_sniffed()
    {
        var random = new Random(5);
        for (int round = 0; round < 200; round++)
        {
            using var tensor = TorchSharp.torch.zeros(random.Next(0, 50));
            string name = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(32, 127)).ToArray());
            using var stream = new MemoryStream();
            Safetensors.WriteTo(stream, [KeyValuePair.Create(name, tensor)]);
            using var read = Safetensors.ReadAll(stream.ToArray());
            Assert.Single(read.Tensors);
        }
    }
}
