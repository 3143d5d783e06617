using System.Text;
using ShapedVit.Checkpoints;
using ShapedVit.Testing;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>
/// LoadSafetensors validates the header, the metadata (alone and against the file and the model), the keys, shapes and
/// dtypes before it writes a parameter: for every kind of malformed file the model stays bit for bit as it was, and the
/// error names the file.
/// </summary>
public class AllOrNothingLoadTests
{
    private static Dictionary<string, string> GoodMetadata(nn.Module model) =>
        new(CheckpointMetadata.For((IVisionTransformer)model, labels: Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(),
                                   preprocessing: PreprocessConfig.ImageNet(32)).ToDictionary());

    /// <summary>A donor's tensors and metadata, each changed one way; the expected message after "path: ".</summary>
    public static TheoryData<string, string> Kinds() => new()
    {
        { "labels with null", "[MetadataMalformed] metadata 'shapedvit.labels': element [2] is null, not a string." },
        { "3 labels for 10 classes", "[MetadataMalformed] metadata 'shapedvit.labels': names 3 classes, but the classifier weight 'head.weight' has shape [10,64]: one label per row is needed." },
        { "null in input_size", "[MetadataMalformed] metadata 'shapedvit.preprocessing' field 'input_size'[2]: is null, not a number." },
        { "input size 48 for 32x32 weights", "[MetadataMalformed] metadata 'shapedvit.preprocessing' field 'input_size': states 48x48 images, but the checkpoint's weights are for 32x32." },
        { "one channel for an RGB model", "[MetadataMalformed] metadata 'shapedvit.preprocessing' field 'input_size': states 1 channel(s), but the model takes 3." },
        { "duplicate preprocessing field", "[MetadataMalformed] metadata 'shapedvit.preprocessing' field 'std': occurs more than once." },
        { "std 1e-45", "[MetadataMalformed] metadata 'shapedvit.preprocessing' field 'std'[0]: 1E-45 is outside [0.001, 1]." },
        { "5 MB architecture", "[MetadataMalformed] metadata 'shapedvit.architecture': is 5,000,000 characters, over the limit of 4,096 (it starts \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (4,999,960 more characters)\")." },
        { "a missing tensor", "[KeyMismatch] the checkpoint does not fit the model; nothing was loaded." },
        { "a wrong shape", "[KeyMismatch] the checkpoint does not fit the model; nothing was loaded." },
        { "an integer dtype", "[KeyMismatch] the checkpoint does not fit the model; nothing was loaded." },
        { "a zip archive", "[NotSafetensors] the file is a zip archive, the format of PyTorch's torch.save (.pt, .pth, .bin), not safetensors; convert it in Python with safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')." },
    };

    private static void WriteKind(string kind, string path)
    {
        using var scope = NewDisposeScope();
        using var donor = Perturbed(new TorchvisionMicro(seed: 2), 2);
        var tensors = new Dictionary<string, Tensor>(donor.state_dict());
        var metadata = GoodMetadata(donor);
        switch (kind)
        {
            case "labels with null": metadata[CheckpointMetadataKeys.Labels] = "[\"a\",\"b\",null]"; break;
            case "3 labels for 10 classes": metadata[CheckpointMetadataKeys.Labels] = "[\"a\",\"b\",\"c\"]"; break;
            case "null in input_size": metadata[CheckpointMetadataKeys.Preprocessing] = metadata[CheckpointMetadataKeys.Preprocessing].Replace("[3,32,32]", "[3,32,null]"); break;
            case "input size 48 for 32x32 weights": metadata[CheckpointMetadataKeys.Preprocessing] = metadata[CheckpointMetadataKeys.Preprocessing].Replace("[3,32,32]", "[3,48,48]"); break;
            case "one channel for an RGB model":
                metadata[CheckpointMetadataKeys.Preprocessing] = new CheckpointMetadata { Preprocessing = new PreprocessConfig(32, 1, [0.5f], [0.5f], 1) }.ToDictionary()[CheckpointMetadataKeys.Preprocessing];
                break;
            case "duplicate preprocessing field": metadata[CheckpointMetadataKeys.Preprocessing] = metadata[CheckpointMetadataKeys.Preprocessing].Replace("}", ",\"std\":[0.5,0.5,0.5]}"); break;
            case "std 1e-45": metadata[CheckpointMetadataKeys.Preprocessing] = metadata[CheckpointMetadataKeys.Preprocessing].Replace("\"std\":[0.229", "\"std\":[1e-45"); break;
            case "5 MB architecture": metadata[CheckpointMetadataKeys.Architecture] = new string('a', 5_000_000); break;
            case "a missing tensor": tensors.Remove("blocks.1.mlp.fc2.bias"); break;
            case "a wrong shape": tensors["blocks.0.norm1.weight"] = torch.ones(63); break;
            case "an integer dtype": tensors["blocks.0.norm1.bias"] = torch.zeros(64, ScalarType.Int32); break;
            case "a zip archive":
                System.IO.File.WriteAllBytes(path, [.. "PK\u0003\u0004\u0014\0\0\0"u8, .. new byte[200]]);
                return;
            default: throw new ArgumentException(kind);
        }
        Safetensors.Write(path, tensors, metadata);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_malformed_file_leaves_every_parameter_bit_for_bit_unchanged_and_names_the_file(string kind, string expected)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("bad.safetensors");
        WriteKind(kind, path);
        using var model = Perturbed(new TorchvisionMicro(seed: 1), 1);
        var before = Snapshot(model);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal($"{path}: {expected}", error.Message.Split('\n')[0]);
        AssertUnchanged(model, before);
        // The header-only reader applies the same metadata rules, the cross-check against the model aside.
        if (expected.Contains("MetadataMalformed", StringComparison.Ordinal) && !expected.Contains("field 'input_size': states", StringComparison.Ordinal))
            Assert.Equal(error.Message, Assert.Throws<CheckpointException>(() => CheckpointMetadata.Read(path)).Message);
    }

    [Fact]
    public void The_unchanged_oracle_catches_a_single_changed_bit()
    {
        using var scope = NewDisposeScope();
        using var model = Perturbed(new TorchvisionMicro(seed: 1), 1);
        var before = Snapshot(model);
        using (torch.no_grad())
        {
            var bias = model.state_dict()["blocks.1.mlp.fc2.bias"];
            var values = bias.data<float>();
            values[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(values[0]) ^ 1); // the last mantissa bit of one element
        }
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertUnchanged(model, before));
    }

    [Fact]
    public void Labels_without_a_classifier_are_refused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("backbone.safetensors");
        using (var donor = new MicroBackbone(seed: 2))
            Safetensors.Write(path, donor.state_dict(), new Dictionary<string, string> { [CheckpointMetadataKeys.Labels] = "[\"a\",\"b\"]" });
        const string expected = "[MetadataMalformed] metadata 'shapedvit.labels': names 2 classes, but the file has no classifier weight (head.weight, heads.head.weight, classifier.weight) to give them.";
        Assert.Equal($"{path}: {expected}", Assert.Throws<CheckpointException>(() => CheckpointMetadata.Read(path)).Message);
        using var model = new MicroBackbone(seed: 1);
        var before = Snapshot(model);
        Assert.Equal($"{path}: {expected}", Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path)).Message);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void A_resampled_checkpoint_states_the_size_its_weights_were_trained_at()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("at32.safetensors");
        using (var donor = Perturbed(new TorchvisionMicro(seed: 2), 2)) donor.SaveSafetensors(path, CheckpointMetadata.Parse(GoodMetadata(donor)));
        using var model = new MicroAt48(seed: 1);
        var loaded = model.LoadSafetensors(path);
        Assert.Equal((4L, 4L), loaded.PositionEmbeddingResampledFrom);
        Assert.Equal(32, loaded.Metadata.Preprocessing!.Size);
    }

    [Fact]
    public void Fine_tuning_into_another_head_keeps_the_file_s_labels_checked_against_the_file_s_head()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("ten.safetensors");
        using (var donor = Perturbed(new TorchvisionMicro(seed: 2), 2)) donor.SaveSafetensors(path, CheckpointMetadata.Parse(GoodMetadata(donor)));
        using var micro = new MicroBackbone(seed: 1);
        var loaded = micro.LoadSafetensors(path, new CheckpointLoadOptions { Classifier = ClassifierLoading.ReplaceIfMismatched });
        Assert.Equal(10, loaded.Metadata.Labels!.Count);
    }

    /// <summary>Property: whatever one metadata value becomes, a load either succeeds completely or changes nothing.</summary>
    [Fact]
    public void Fuzzed_metadata_never_half_loads()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("fuzz.safetensors");
        using var donor = Perturbed(new TorchvisionMicro(seed: 2), 2);
        var good = GoodMetadata(donor);
        using var model = Perturbed(new TorchvisionMicro(seed: 1), 1);
        var before = Snapshot(model);
        var random = new Random(27);
        byte[] interesting = Encoding.ASCII.GetBytes("{}[]\":,-0123456789.eEn ");
        int loaded = 0, refused = 0;
        for (int round = 0; round < 60; round++)
        {
            var metadata = new Dictionary<string, string>(good);
            var key = metadata.Keys.ElementAt(random.Next(metadata.Count));
            var chars = metadata[key].ToCharArray();
            chars[random.Next(chars.Length)] = (char)interesting[random.Next(interesting.Length)];
            metadata[key] = new string(chars);
            Safetensors.Write(path, donor.state_dict(), metadata);
            try
            {
                model.LoadSafetensors(path);
                loaded++;
                using var noGrad = torch.no_grad();
                foreach (var (name, tensor) in model.state_dict()) tensor.copy_(before[name]); // restore for the next round
            }
            catch (CheckpointException error)
            {
                refused++;
                Assert.StartsWith($"{path}: [MetadataMalformed] metadata '{key}'", error.Message);
                AssertUnchanged(model, before);
            }
        }
        Assert.True(loaded > 0 && refused > 0, $"loaded {loaded}, refused {refused}");
    }
}
