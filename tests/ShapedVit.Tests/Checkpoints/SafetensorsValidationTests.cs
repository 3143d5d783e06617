using ShapedVit.Testing;
using System.Text;
using ShapedVit.Checkpoints;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>One hand-made bad file per rule the reference implementation (huggingface/safetensors) enforces.</summary>
public class SafetensorsValidationTests
{
    private const string Good = """{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    [Fact]
    public void A_valid_hand_made_file_is_accepted()
    {
        using var file = Safetensors.ReadAll(File(Good, 8));
        Assert.Equal(new long[] { 2 }, file.Tensors["t"].shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Files_shorter_than_the_length_prefix_are_rejected(int length) =>
        AssertRejected(new byte[length], CheckpointRule.FileTooShort);

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    public void Header_lengths_over_100_MB_are_rejected_before_allocating(ulong declared) =>
        AssertRejected(File(Good, 8, declared), CheckpointRule.HeaderTooLarge);

    [Theory]
    [InlineData(1000UL)]
    [InlineData(100_000_000UL)]
    public void Header_lengths_past_the_end_of_the_file_are_rejected(ulong declared) =>
        AssertRejected(File(Good, 8, declared), CheckpointRule.HeaderBeyondFile);

    [Fact]
    public void A_header_of_invalid_utf8_is_rejected() =>
        AssertRejected(File(new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' }), CheckpointRule.HeaderNotUtf8);

    [Theory]
    [InlineData("")]                         // header length 0
    [InlineData("[]")]                       // not an object
    [InlineData(" {}")]                      // must start with '{'
    [InlineData("{\"t\":")]                  // truncated
    [InlineData("{} x")]                     // content after the object
    [InlineData("{/*c*/}")]                  // comments are not JSON
    [InlineData("{\"__metadata__\":{},}")]   // trailing comma
    [InlineData("{\"\\ud800\":1}")]          // lone surrogate escape
    public void Headers_that_are_not_a_JSON_object_are_rejected(string header) =>
        AssertRejected(File(header), CheckpointRule.HeaderNotJson);

    [Fact]
    public void Trailing_space_padding_after_the_object_is_accepted()
    {
        using var file = Safetensors.ReadAll(File(Good + "       ", 8));
        Assert.Single(file.Tensors);
    }

    [Fact]
    public void Deeply_nested_JSON_is_rejected_without_recursion()
    {
        string deep = "{\"t\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.Throws<CheckpointException>(() => { using var _ = Safetensors.ReadAll(File(deep)); });
        string deepObjects = "{\"t\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_001);
        Assert.Throws<CheckpointException>(() => { using var _ = Safetensors.ReadAll(File(deepObjects)); });
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected() =>
        AssertRejected(File("""{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8),
                       CheckpointRule.DuplicateKey, "t");

    [Fact]
    public void Duplicate_names_written_with_different_escapes_are_rejected() =>
        AssertRejected(File("""{"ab":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a\u0062":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8),
                       CheckpointRule.DuplicateKey, "ab");

    [Fact]
    public void Duplicate_metadata_sections_and_keys_are_rejected()
    {
        AssertRejected(File("""{"__metadata__":{},"__metadata__":{}}"""), CheckpointRule.DuplicateKey, "__metadata__");
        AssertRejected(File("""{"__metadata__":{"a":"1","a":"2"}}"""), CheckpointRule.DuplicateKey, "__metadata__");
    }

    [Fact]
    public void Duplicate_fields_of_a_tensor_entry_are_rejected() =>
        AssertRejected(File("""{"t":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}""", 8), CheckpointRule.DuplicateKey, "t");

    [Theory]
    [InlineData("F33")]
    [InlineData("f32")]
    [InlineData("FLOAT")]
    [InlineData("")]
    public void Unknown_dtypes_are_rejected(string dtype)
    {
        var error = AssertRejected(File($$$"""{"t":{"dtype":"{{{dtype}}}","shape":[2],"data_offsets":[0,8]}}""", 8), CheckpointRule.UnknownDtype, "t");
        Assert.Contains($"'{dtype}'", error.Message);
    }

    [Theory]
    [InlineData("""{"t":{"shape":[2],"data_offsets":[0,8]}}""", "dtype")]
    [InlineData("""{"t":{"dtype":"F32","data_offsets":[0,8]}}""", "shape")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2]}}""", "data_offsets")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", "extra")]
    [InlineData("""{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "shape")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", "shape")]
    [InlineData("""{"t":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", "shape")]
    [InlineData("""{"t":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}""", "shape")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}}""", "data_offsets")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[-1,8]}}""", "data_offsets")]
    [InlineData("""{"t":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}""", "dtype")]
    [InlineData("""{"t":[1,2]}""", "tensor entry")]
    [InlineData("""{"t":null}""", "tensor entry")]
    public void Malformed_tensor_entries_are_rejected(string header, string named)
    {
        var error = AssertRejected(File(header, 8), CheckpointRule.InvalidTensorEntry, "t");
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("""{"__metadata__":{"a":1}}""")]
    [InlineData("""{"__metadata__":{"a":null}}""")]
    [InlineData("""{"__metadata__":{"a":{"b":"c"}}}""")]
    [InlineData("""{"__metadata__":["a"]}""")]
    [InlineData("""{"__metadata__":"a"}""")]
    public void Metadata_that_is_not_a_string_map_is_rejected(string header) =>
        AssertRejected(File(header), CheckpointRule.InvalidMetadata, "__metadata__");

    [Fact]
    public void Null_metadata_reads_as_empty_as_in_the_reference()
    {
        using var file = Safetensors.ReadAll(File("""{"__metadata__":null}"""));
        Assert.Empty(file.Metadata);
        Assert.Empty(file.Tensors);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "a", "previous data ends at 0")]                                                // does not start at 0
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", "b", "previous data ends at 4")] // gap
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "b", "overlapping")]        // overlap
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "b", "overlapping")]        // same range twice
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", "b", "before it begins")]  // end < begin
    public void Offsets_that_are_not_contiguous_from_zero_are_rejected(string header, string tensor, string why)
    {
        var error = AssertRejected(File(header, 12), CheckpointRule.InvalidOffsets, tensor);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Offsets_listed_out_of_order_but_contiguous_are_accepted()
    {
        using var file = Safetensors.ReadAll(File("""{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8));
        Assert.Equal(new[] { "a", "b" }, file.Tensors.Keys);
    }

    [Theory]
    [InlineData("[4611686018427387904,4611686018427387904]", "F32")] // 2^62 * 2^62 elements
    [InlineData("[4611686018427387904]", "F64")]                     // 2^62 elements * 64 bits
    [InlineData("[9223372036854775808]", "U8")]                      // 2^63: no file holds it
    public void Sizes_that_overflow_are_rejected(string shape, string dtype) =>
        AssertRejected(File($$$"""{"t":{"dtype":"{{{dtype}}}","shape":{{{shape}}},"data_offsets":[0,8]}}""", 8), CheckpointRule.SizeOverflow, "t");

    [Fact]
    public void Sub_byte_tensors_must_fill_whole_bytes() =>
        AssertRejected(File("""{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}""", 2), CheckpointRule.MisalignedSize, "t");

    [Theory]
    [InlineData("[2]", "[0,4]")]
    [InlineData("[3]", "[0,8]")]
    [InlineData("[]", "[0,8]")] // a scalar is one element
    public void Byte_ranges_must_equal_shape_times_dtype_size(string shape, string offsets)
    {
        var error = AssertRejected(File($$$"""{"t":{"dtype":"F32","shape":{{{shape}}},"data_offsets":{{{offsets}}}}}""", 8), CheckpointRule.SizeMismatch, "t");
        Assert.Contains("needs", error.Message);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void Data_must_end_exactly_at_the_end_of_the_file(int dataBytes) =>
        AssertRejected(File(Good, dataBytes), CheckpointRule.DataEndMismatch);

    [Theory]
    [InlineData("U16", 2)]
    [InlineData("U32", 4)]
    [InlineData("F8_E4M3", 1)]
    public void Valid_dtypes_without_a_TorchSharp_type_are_rejected_when_loading(string dtype, int size)
    {
        byte[] file = File($$$"""{"t":{"dtype":"{{{dtype}}}","shape":[2],"data_offsets":[0,{{{2 * size}}}]}}""", 2 * size);
        AssertRejected(file, CheckpointRule.UnsupportedDtype, "t");
        using var folder = new TempDirectory();
        System.IO.File.WriteAllBytes(folder.File("u.safetensors"), file);
        Assert.Equal(Enum.Parse<SafetensorsDtype>(dtype), Safetensors.ReadHeader(folder.File("u.safetensors")).Entries[0].Dtype); // the header itself is valid
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(200_000)]
    public void Tensors_of_any_rank_load_or_fail_as_checkpoint_exceptions(int rank)
    {
        string shape = "[" + string.Join(",", Enumerable.Repeat("1", rank)) + "]";
        byte[] file = File($$$"""{"t":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,4]}}""", 4);
        try
        {
            using var read = Safetensors.ReadAll(file);
            Assert.Equal(rank, read.Tensors["t"].dim());
        }
        catch (CheckpointException e)
        {
            Assert.Equal(CheckpointRule.TensorNotCreated, e.Rule);
            Assert.Equal("t", e.TensorName);
        }
    }

    [Fact]
    public void A_missing_file_is_a_checkpoint_exception()
    {
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadAll(Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid() + ".safetensors")));
        Assert.Equal(CheckpointRule.Io, error.Rule);
        Assert.IsAssignableFrom<IOException>(error);
    }

    [Fact]
    public void Every_rule_has_a_test_here()
    {
        // A new rule without a hand-made bad file would go untested. The trainer's rules (ArchitectureMismatch,
        // TrainingStateMismatch) are tested with the trainer, in the Training package's tests.
        var source = System.IO.File.ReadAllText(Path.Combine(ThisFolder(), "SafetensorsValidationTests.cs"))
                   + System.IO.File.ReadAllText(Path.Combine(ThisFolder(), "StrictLoadingTests.cs"))
                   + System.IO.File.ReadAllText(Path.Combine(ThisFolder(), "SafetensorsRoundTripTests.cs"))
                   + System.IO.File.ReadAllText(Path.Combine(ThisFolder(), "CheckpointMetadataTests.cs"))
                   + System.IO.File.ReadAllText(Path.Combine(ThisFolder(), "ForeignFormatTests.cs"))
                   + System.IO.File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "ShapedVit.Training.Tests", "TrainerTests.cs"));
        foreach (var rule in Enum.GetValues<CheckpointRule>())
            Assert.Contains($"CheckpointRule.{rule}", source);
    }

    private static string ThisFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
