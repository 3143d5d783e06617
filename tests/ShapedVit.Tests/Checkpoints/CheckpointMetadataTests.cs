using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

public class CheckpointMetadataTests
{
    private static CheckpointMetadata Full(TorchvisionMicro model) =>
        CheckpointMetadata.For(model, labels: Enumerable.Range(0, 10).Select(i => $"class \"{i}\"").ToArray(),
                               preprocessing: PreprocessConfig.ImageNet(32) with { Interpolation = Interpolation.Bilinear }) with
        {
            Extra = new Dictionary<string, string> { ["shapedvit.dataset"] = "synthetic" },
        };

    [Fact]
    public void Metadata_round_trips_through_save_and_load_and_through_the_header_alone()
    {
        using var folder = new TempDirectory();
        using var model = new TorchvisionMicro(seed: 1);
        var written = Full(model);
        string path = folder.File("m.safetensors");
        model.SaveSafetensors(path, written);

        using var other = new TorchvisionMicro(seed: 2);
        var loaded = other.LoadSafetensors(path).Metadata;
        var header = CheckpointMetadata.Read(path);
        foreach (var read in new[] { loaded, header })
        {
            Assert.Equal("TorchvisionMicro", read.ModelName);
            Assert.Equal(written.Architecture, read.Architecture);
            Assert.StartsWith("TorchvisionMicro(image 32x32x3, patch 8x8, embed 64, depth 2, heads 4, mlp 256, classes 10,", read.Architecture);
            Assert.Equal(written.Labels, read.Labels);
            Assert.Equal(written.Preprocessing, read.Preprocessing);
            Assert.Equal(Interpolation.Bilinear, read.Preprocessing!.Interpolation);
            Assert.Equal("synthetic", read.Extra["shapedvit.dataset"]);
            Assert.Equal("pt", read.Extra["format"]);
        }
    }

    [Fact]
    public void The_stored_keys_and_json_are_the_documented_ones()
    {
        var stored = new CheckpointMetadata
        {
            ModelName = "Vit", Architecture = "Vit(...)", Labels = ["cat", "dog"],
            Preprocessing = PreprocessConfig.ImageNet(224),
        }.ToDictionary();
        Assert.Equal(new[] { "shapedvit.architecture", "shapedvit.labels", "shapedvit.model", "shapedvit.preprocessing" }, stored.Keys.Order());
        Assert.Equal("[\"cat\",\"dog\"]", stored["shapedvit.labels"]);
        Assert.Equal("{\"input_size\":[3,224,224],\"crop_pct\":0.875,\"interpolation\":\"bicubic\",\"mean\":[0.485,0.456,0.406],\"std\":[0.229,0.224,0.225]}",
                     stored["shapedvit.preprocessing"]);
        string doc = System.IO.File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "checkpoint-metadata.md"));
        foreach (var key in stored.Keys) Assert.Contains($"`{key}`", doc);
    }

    [Theory]
    [InlineData("shapedvit.labels", "not json")]
    [InlineData("shapedvit.labels", "{\"a\":1}")]
    [InlineData("shapedvit.preprocessing", "[1,2]")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,224,200],\"mean\":[0.5,0.5,0.5],\"std\":[0.5,0.5,0.5]}")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,224,224],\"interpolation\":\"lanczos\",\"mean\":[0.5,0.5,0.5],\"std\":[0.5,0.5,0.5]}")]
    [InlineData("shapedvit.preprocessing", "{\"input_size\":[3,224,224],\"mean\":[0.5],\"std\":[0.5,0.5,0.5]}")]
    public void A_malformed_known_entry_is_one_error_naming_the_key_and_the_file(string key, string value)
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointMetadata.Parse(new Dictionary<string, string> { [key] = value }, "x.safetensors"));
        Assert.Equal(CheckpointRule.MetadataMalformed, error.Rule);
        Assert.Contains($"metadata '{key}'", error.Message);
        Assert.StartsWith("x.safetensors: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Key_lists_in_a_mismatch_are_capped_and_say_how_many_more()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = new TorchvisionMicro(seed: 1);
        var tensors = new Dictionary<string, Tensor>(donor.state_dict());
        for (int i = 0; i < 30; i++) tensors[$"extra.{i:D2}"] = torch.zeros(1);
        string path = folder.File("extra.safetensors");
        Safetensors.Write(path, tensors);
        using var model = new TorchvisionMicro(seed: 2);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal(30, error.Unexpected.Count);
        Assert.Contains("unexpected (30):", error.Message);
        Assert.Contains("extra.09 [1]", error.Message);
        Assert.DoesNotContain("extra.10 [1]", error.Message);
        Assert.Contains($"and {30 - CheckpointException.ListedKeys} more", error.Message);
    }
}
