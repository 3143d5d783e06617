using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    [Fact]
    public void Every_storable_dtype_round_trips_bit_for_bit_with_metadata()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = torch.randn(3, 4),
            ["f64"] = torch.randn(2, 2, dtype: ScalarType.Float64),
            ["f16"] = torch.randn(5).to(ScalarType.Float16),
            ["bf16"] = torch.randn(5).to(ScalarType.BFloat16),
            ["i64"] = torch.tensor(new long[] { long.MinValue, -1, long.MaxValue }),
            ["i32"] = torch.tensor(new[] { int.MinValue, 7 }),
            ["i16"] = torch.tensor(new short[] { -3, 300 }),
            ["i8"] = torch.tensor(new sbyte[] { -128, 127 }),
            ["u8"] = torch.tensor(new byte[] { 0, 255 }),
            ["bool"] = torch.tensor(new[] { true, false, true }),
            ["scalar"] = torch.tensor(2.5f),
            ["empty"] = torch.zeros(0, 3),
            ["strided"] = torch.arange(12, dtype: ScalarType.Float32).reshape(3, 4).t(), // not contiguous
        };
        var metadata = new Dictionary<string, string> { ["epoch"] = "12", ["optimizer"] = "adamw", ["unicode"] = "grüße ✓" };
        string path = folder.File("all.safetensors");
        Safetensors.Write(path, tensors, metadata);

        using var file = Safetensors.ReadAll(path);
        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Tensors[name];
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(BitEqual(expected, actual), name);
        }
        Assert.Single(Directory.GetFiles(folder.Path)); // no temporary file left behind
    }

    [Fact]
    public void The_written_file_follows_the_reference_layout()
    {
        using var scope = NewDisposeScope();
        using var stream = new MemoryStream();
        Safetensors.WriteTo(stream, new Dictionary<string, Tensor> { ["b"] = torch.ones(1, dtype: ScalarType.Float16), ["a"] = torch.ones(2) });
        byte[] bytes = stream.ToArray();
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8); // padded so data is aligned
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        // Larger elements first, then by name: F32 "a" at 0..8, F16 "b" at 8..10.
        Assert.Equal("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[1],"data_offsets":[8,10]}}""", header.TrimEnd(' '));
        Assert.Equal(8 + headerLength + 10, bytes.Length);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void Floating_tensors_convert_on_write_and_on_read(ScalarType stored)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        var original = torch.randn(4, 8);
        var steps = torch.tensor(new long[] { 5 });
        string path = folder.File("converted.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["w"] = original, ["steps"] = steps }, floatingType: stored);
        Assert.Equal(Enum.Parse<SafetensorsDtype>(stored switch { ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16", _ => "F64" }),
                     Safetensors.ReadHeader(path).Entries.Single(e => e.Name == "w").Dtype);

        using var file = Safetensors.ReadAll(path, floatingType: ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, file.Tensors["w"].dtype);
        Assert.Equal(ScalarType.Int64, file.Tensors["steps"].dtype); // integers are never converted
        // The read value is exactly the rounding of the original to the stored type.
        Assert.True(BitEqual(original.to(stored).to(ScalarType.Float32), file.Tensors["w"]));
        double tolerance = stored == ScalarType.BFloat16 ? 1e-2 : stored == ScalarType.Float16 ? 2e-3 : 0;
        Assert.True(MaxAbsDiff(original, file.Tensors["w"]) <= tolerance * original.abs().max().item<float>());
    }

    [Fact]
    public void Saving_and_loading_a_model_reproduces_tensors_and_logits()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var source = Perturbed(new TorchvisionMicro(seed: 1), 1);
        using var target = Perturbed(new TorchvisionMicro(seed: 2), 2);
        source.eval(); target.eval();
        string path = folder.File("model.safetensors");
        source.SaveSafetensors(path, new CheckpointMetadata { Extra = new Dictionary<string, string> { ["step"] = "100" } });

        var result = target.LoadSafetensors(path);
        Assert.Equal(CheckpointNaming.Timm, result.Naming);
        Assert.Equal("100", result.Metadata.Extra["step"]);
        Assert.Equal("pt", result.RawMetadata["format"]);
        Assert.Null(result.PositionEmbeddingResampledFrom);
        var expected = source.state_dict();
        foreach (var (key, tensor) in target.state_dict())
            Assert.True(BitEqual(expected[key], tensor), key);
        var images = torch.randn(2, 3, 32, 32);
        using (torch.no_grad())
            Assert.True(BitEqual(source.forward(images), target.forward(images)));
    }

    [Theory]
    [InlineData(ScalarType.Float16, 2e-3)]
    [InlineData(ScalarType.BFloat16, 1.6e-2)]
    public void A_half_precision_checkpoint_loads_into_a_float32_model(ScalarType stored, double relative)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var source = Perturbed(new TorchvisionMicro(seed: 3), 3);
        using var target = Perturbed(new TorchvisionMicro(seed: 4), 4);
        string path = folder.File("half.safetensors");
        Safetensors.Write(path, source.state_dict(), floatingType: stored);

        target.LoadSafetensors(path);
        var expected = source.state_dict();
        foreach (var (key, tensor) in target.state_dict())
        {
            Assert.Equal(ScalarType.Float32, tensor.dtype);
            Assert.True(BitEqual(expected[key].to(stored).to(ScalarType.Float32), tensor), key);
            Assert.True(MaxAbsDiff(expected[key], tensor) <= relative * expected[key].abs().max().item<float>() + 1e-7, key);
        }
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_file_on_failure()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("x.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["a"] = torch.ones(3) });
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["b"] = torch.zeros(2) });
        using (var file = Safetensors.ReadAll(path))
            Assert.Equal(new[] { "b" }, file.Tensors.Keys);

        // A tensor that cannot be stored fails before the target is touched.
        var error = Assert.Throws<CheckpointException>(() =>
            Safetensors.Write(path, new Dictionary<string, Tensor> { ["c"] = torch.ones(2, dtype: ScalarType.ComplexFloat32) }));
        Assert.Equal(CheckpointRule.InvalidTensor, error.Rule);
        Assert.Equal("c", error.TensorName);
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.Path));
        using (var file = Safetensors.ReadAll(path))
            Assert.Equal(new[] { "b" }, file.Tensors.Keys);
    }

    [Fact]
    public void Duplicate_and_reserved_names_cannot_be_written()
    {
        using var scope = NewDisposeScope();
        using var stream = new MemoryStream();
        var duplicate = new[] { KeyValuePair.Create("a", torch.ones(1)), KeyValuePair.Create("a", torch.ones(1)) };
        Assert.Equal(CheckpointRule.DuplicateKey, Assert.Throws<CheckpointException>(() => Safetensors.WriteTo(stream, duplicate)).Rule);
        var reserved = new[] { KeyValuePair.Create("__metadata__", torch.ones(1)) };
        Assert.Equal(CheckpointRule.InvalidTensor, Assert.Throws<CheckpointException>(() => Safetensors.WriteTo(stream, reserved)).Rule);
    }

    [Fact]
    public void Loading_and_saving_a_model_leak_no_tensors()
    {
        using var folder = new TempDirectory();
        using var model = new TorchvisionMicro(seed: 1);
        using var other = new MicroAt48(seed: 2);
        string path = folder.File("m.safetensors");
        string at48 = folder.File("at48.safetensors");
        other.SaveSafetensors(at48);
        using var scope = NewDisposeScope();
        model.SaveSafetensors(path);
        model.LoadSafetensors(path);
        model.LoadSafetensors(at48); // resampling, too
        Assert.Throws<CheckpointException>(() => model.LoadSafetensors(at48, new CheckpointLoadOptions { ResamplePositionEmbedding = false }));
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Fact]
    public void Reading_leaks_no_tensors()
    {
        byte[] bytes = SmallValidFile();
        using var scope = NewDisposeScope();
        using (var file = Safetensors.ReadAll(bytes, ScalarType.Float64)) Assert.Equal(3, file.Tensors.Count);
        Assert.Throws<CheckpointException>(() => Safetensors.ReadAll(bytes.AsMemory(0, bytes.Length - 1)));
        // Everything the reads created was disposed by them or by the file: nothing is left for this scope.
        Assert.Equal(0, scope.DisposablesCount);
    }
}
