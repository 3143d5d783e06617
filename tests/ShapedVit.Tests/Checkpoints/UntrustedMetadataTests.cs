using System.Text;
using ShapedVit.Checkpoints;
using ShapedVit.Testing;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>Checkpoint metadata as untrusted input: sizes, JSON types, finiteness, ranges, and one bounded line per error.</summary>
public class UntrustedMetadataTests
{
    private const string Labels = CheckpointMetadataKeys.Labels;
    private const string Preprocessing = CheckpointMetadataKeys.Preprocessing;
    private const string Prefix = "x.safetensors: [MetadataMalformed] metadata ";

    private static string Config(string inputSize = "[3,224,224]", string mean = "[0.5,0.5,0.5]", string std = "[0.5,0.5,0.5]", string more = "") =>
        $"{{\"input_size\":{inputSize},\"mean\":{mean},\"std\":{std}{more}}}";

    private static string ErrorOf(string key, string value) =>
        Assert.Throws<CheckpointException>(() => CheckpointMetadata.Parse(new Dictionary<string, string> { [key] = value }, "x.safetensors")).Message;

    public static TheoryData<string, string, string> Malformed() => new()
    {
        { Preprocessing, Config(inputSize: "[3,null,224]"), "'shapedvit.preprocessing' field 'input_size'[1]: is null, not a number." },
        { Preprocessing, Config(mean: "[0.5,null,0.5]"), "'shapedvit.preprocessing' field 'mean'[1]: is null, not a number." },
        { Preprocessing, Config(std: "[null]"), "'shapedvit.preprocessing' field 'std'[0]: is null, not a number." },
        { Preprocessing, Config(inputSize: "[3,46341,46341]"), "'shapedvit.preprocessing' field 'input_size': the size 46341 is outside [1, 4096]." },
        { Preprocessing, Config(inputSize: "[3,1e9,1e9]"), "'shapedvit.preprocessing' field 'input_size': the size 1000000000 is outside [1, 4096]." },
        { Preprocessing, Config(inputSize: "[3,1e300,1e300]"), "'shapedvit.preprocessing' field 'input_size': the size 1E+300 is outside [1, 4096]." },
        { Preprocessing, Config(inputSize: "[3,0.5,0.5]"), "'shapedvit.preprocessing' field 'input_size': must be 3 integers [channels, size, size] (got [3,0.5,0.5])." },
        { Preprocessing, Config(inputSize: "[7,224,224]"), "'shapedvit.preprocessing' field 'input_size': channels must be 1 or 3 (got 7)." },
        { Preprocessing, Config(mean: "[1e39,0.5,0.5]"), "'shapedvit.preprocessing' field 'mean'[0]: 1E+39 is beyond the range of float32." },
        { Preprocessing, Config(mean: "[0.5,0.5,2]"), "'shapedvit.preprocessing' field 'mean'[2]: 2 is outside [0, 1] (pixels are scaled to 0..1)." },
        { Preprocessing, Config(std: "[0.5,1e-45,0.5]"), "'shapedvit.preprocessing' field 'std'[1]: 1E-45 is outside [0.001, 1]." },
        { Preprocessing, Config(std: "[0.5,0,0.5]"), "'shapedvit.preprocessing' field 'std'[1]: 0 is outside [0.001, 1]." },
        { Preprocessing, Config(more: ",\"crop_pct\":1e-300"), "'shapedvit.preprocessing' field 'crop_pct': 1E-300 resizes the short side to 2.24E+302 pixels, over the limit of 1048576." },
        { Preprocessing, Config(more: ",\"crop_pct\":\"0.9\""), "'shapedvit.preprocessing' field 'crop_pct': is a string, not a number." },
        { Preprocessing, Config(more: ",\"input_size\":[3,224,224]"), "'shapedvit.preprocessing' field 'input_size': occurs more than once." },
        { Preprocessing, Config(more: ",\"interpolation\":\"\\u001b[2Jlanczos\""), "'shapedvit.preprocessing' field 'interpolation': is '\\e[2Jlanczos': use bicubic or bilinear." },
        { Preprocessing, "[1,2]", "'shapedvit.preprocessing': must be a JSON object, found an array." },
        { Preprocessing, "{\"mean\":[0.5],\"std\":[0.5]}", "'shapedvit.preprocessing' field 'input_size': is missing: [channels, size, size] is needed." },
        { Labels, "[\"cat\",null]", "'shapedvit.labels': element [1] is null, not a string." },
        { Labels, "[\"cat\",[\"dog\"]]", "'shapedvit.labels': element [1] is an array, not a string." },
        { Labels, "{\"0\":\"cat\"}", "'shapedvit.labels': must be a JSON array of strings, found an object." },
        { CheckpointMetadataKeys.Architecture, "Vit(image 224x224x3)\n\u001b[31mfake", "'shapedvit.architecture': holds control characters: \"Vit(image 224x224x3)\\n\\e[31mfake\"." },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Each_malformed_field_is_one_line_naming_the_file_the_key_and_the_field(string key, string value, string expected)
    {
        Assert.Equal(Prefix + expected, ErrorOf(key, value));
    }

    [Fact]
    public void A_5_MB_architecture_is_refused_with_a_bounded_excerpt()
    {
        string architecture = "Vit(" + new string('x', 5_000_000) + ")";
        Assert.Equal(Prefix + $"'shapedvit.architecture': is 5,000,005 characters, over the limit of 4,096 (it starts \"Vit({new string('x', 36)}... (4,999,965 more characters)\").",
                     ErrorOf(CheckpointMetadataKeys.Architecture, architecture));
    }

    [Fact]
    public void Labels_beyond_the_size_cap_are_refused_before_they_are_parsed()
    {
        string huge = "[" + string.Join(",", Enumerable.Repeat("\"label\"", 2_500_000)) + "]"; // 20 MB of JSON
        long before = GC.GetAllocatedBytesForCurrentThread();
        string message = ErrorOf(Labels, huge);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Prefix + "'shapedvit.labels': is 20,000,001 characters, over the limit of 16,777,216.", message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated to refuse it");
    }

    [Fact]
    public void A_file_with_66_MB_of_labels_is_refused_within_a_few_times_its_header_s_size()
    {
        using var folder = new TempDirectory();
        string path = folder.File("labels.safetensors");
        string labels = "[" + string.Join(",", Enumerable.Repeat("\"label-label-label-label\"", 2_540_000)) + "]"; // 66 MB
        using (var weight = torch.zeros(2))
            Safetensors.Write(path, [KeyValuePair.Create("head.weight", weight)], new Dictionary<string, string> { [Labels] = labels });
        long fileLength = new FileInfo(path).Length;
        labels = "";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<CheckpointException>(() => CheckpointMetadata.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"{path}: [MetadataMalformed] metadata 'shapedvit.labels': is 66,040,001 characters, over the limit of 16,777,216.", error.Message);
        // The header's bytes, the JSON reader's unescaped copy and the UTF-16 string: a few times the header (at most 100 MB),
        // never the gigabyte and more that parsing the labels took.
        Assert.True(allocated < 4.5 * fileLength, $"{allocated:N0} bytes allocated for a {fileLength:N0}-byte file");
    }

    [Fact]
    public void One_label_over_its_cap_is_refused_with_its_index()
    {
        string value = "[\"cat\",\"" + new string('d', CheckpointMetadata.MaxLabelLength + 1) + "\"]";
        Assert.Equal(Prefix + "'shapedvit.labels': element [1] is 4,097 characters, over the limit of 4,096 (it starts \"dddddddddddddddddddddddddddddddddddddddd... (4,057 more characters)\").",
                     ErrorOf(Labels, value));
    }

    [Fact]
    public void ImageNet_21k_sized_labels_and_a_ViT_H_preprocessing_are_accepted()
    {
        var labels = Enumerable.Range(0, 21_843).Select(i => $"n{i:D8} some synset, with, a few synonyms {i}").ToArray();
        var metadata = new CheckpointMetadata { Labels = labels, Preprocessing = PreprocessConfig.ImageNet(518) }.ToDictionary();
        var parsed = CheckpointMetadata.Parse(metadata, "x.safetensors");
        Assert.Equal(labels, parsed.Labels);
        Assert.Equal(518, parsed.Preprocessing!.Size);
    }

    [Fact]
    public void Unknown_pretrained_cfg_fields_are_ignored_but_still_may_not_repeat()
    {
        string timm = Config(more: ",\"url\":\"\",\"num_classes\":1000,\"pool_size\":null,\"first_conv\":\"patch_embed.proj\",\"nested\":{\"a\":[1,{\"b\":2}]}");
        Assert.Equal(224, CheckpointMetadata.Parse(new Dictionary<string, string> { [Preprocessing] = timm }).Preprocessing!.Size);
        Assert.Equal(Prefix + "'shapedvit.preprocessing' field 'url': occurs more than once.", ErrorOf(Preprocessing, Config(more: ",\"url\":1,\"url\":2")));
    }

    [Fact]
    public void Untrusted_text_is_displayed_on_one_line_without_control_sequences()
    {
        Assert.Equal("\\e[2J\\e]0;owned\\x07cat\\ndog\\r\\t\\u202Egnp.exe\\x9B", UntrustedText.Display("\u001b[2J\u001b]0;owned\u0007cat\ndog\r\t\u202Egnp.exe\u009B"));
        Assert.Equal("Labrador retriever", UntrustedText.Display("Labrador retriever"));
        Assert.Equal("chat \U0001F431 ok", UntrustedText.Display("chat \U0001F431 ok"));
        Assert.Equal("\\uD800x", UntrustedText.Display("\uD800x"));
        Assert.Equal("abc... (3 more characters)", UntrustedText.Display("abcdef", 3));
        Assert.Equal("(none)", UntrustedText.Display(null));
    }

    [Fact]
    public void A_hostile_tensor_name_is_shown_escaped_and_bounded_in_errors()
    {
        string name = "head\n\u001b[31m" + new string('w', 1000);
        var error = new CheckpointException(CheckpointRule.InvalidTensorEntry, name, "detail\nsecond line", "x.safetensors");
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\u001b', error.Message);
        Assert.StartsWith("x.safetensors: tensor 'head\\n\\e[31mwww", error.Message);
        Assert.EndsWith("(890 more characters)': [InvalidTensorEntry] detail\\nsecond line", error.Message);
    }

    /// <summary>Seeded mutations of valid metadata: parsing returns or throws a one-line, bounded CheckpointException naming the file, never anything else.</summary>
    [Fact]
    public void Fuzzed_metadata_values_only_ever_give_one_line_checkpoint_errors()
    {
        var valid = new CheckpointMetadata { ModelName = "Vit", Architecture = "Vit(image 32x32x3)", Labels = ["cat", "dog", "bird"], Preprocessing = PreprocessConfig.ImageNet(32) }.ToDictionary();
        var random = new Random(2027);
        byte[] interesting = Encoding.ASCII.GetBytes("{}[]\":,-0123456789.eE \\un\u001b\n");
        int accepted = 0, rejected = 0;
        for (int round = 0; round < 4000; round++)
        {
            var key = valid.Keys.ElementAt(random.Next(valid.Count));
            var chars = valid[key].ToCharArray();
            for (int e = random.Next(1, 4); e > 0; e--)
                chars[random.Next(chars.Length)] = random.Next(3) == 0 ? (char)random.Next(0, 0x3000) : (char)interesting[random.Next(interesting.Length)];
            var metadata = new Dictionary<string, string>(valid) { [key] = new string(chars) };
            try
            {
                CheckpointMetadata.Parse(metadata, "x.safetensors");
                accepted++;
            }
            catch (CheckpointException error)
            {
                rejected++;
                Assert.Equal(CheckpointRule.MetadataMalformed, error.Rule);
                Assert.StartsWith($"{Prefix}'{key}'", error.Message);
                Assert.DoesNotContain('\n', error.Message);
                Assert.DoesNotContain('\u001b', error.Message);
                Assert.True(error.Message.Length < 600, error.Message);
            }
        }
        Assert.True(accepted > 0 && rejected > 0, $"accepted {accepted}, rejected {rejected}");
    }
}
