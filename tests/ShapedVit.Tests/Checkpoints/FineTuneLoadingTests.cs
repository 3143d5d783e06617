using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>Loading a pre-trained checkpoint into a model with another classifier, or a reset one (CheckpointLoadOptions.Classifier).</summary>
public class FineTuneLoadingTests
{
    private static readonly CheckpointLoadOptions FineTune = new() { Classifier = ClassifierLoading.ReplaceIfMismatched };
    private static readonly CheckpointLoadOptions Reset = new() { Classifier = ClassifierLoading.Reset };

    private static string SavedMicro(TempDirectory folder, ScalarType? dtype = null)
    {
        using var source = Perturbed(new TorchvisionMicro(seed: 1), 1);
        if (dtype is { } type) source.to(type);
        string path = folder.File("pretrained.safetensors");
        source.SaveSafetensors(path);
        return path;
    }

    [Fact]
    public void Without_the_option_another_class_count_is_a_mismatch_that_names_the_option()
    {
        using var folder = new TempDirectory();
        string path = SavedMicro(folder);
        using var model = new MicroFourClasses(seed: 3);
        var before = Snapshot(model);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal(CheckpointRule.KeyMismatch, error.Rule);
        Assert.Contains("head.weight: checkpoint [10,64], model [4,64]; to fine-tune into another head, load with Classifier = ClassifierLoading.Reset", error.WrongShape);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void Another_class_count_reinitialises_exactly_the_head_and_leaves_the_backbone_bit_identical()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = SavedMicro(folder);
        using var checkpoint = Safetensors.ReadAll(path);
        using var model = new MicroFourClasses(seed: 3);
        var initial = Snapshot(model);

        var result = model.LoadSafetensors(path, FineTune);

        Assert.Equal(new[] { "head.bias [4]", "head.weight [4,64]" }, result.ReinitializedTensors.Order());
        Assert.Equal(new[] { "head.bias [10]", "head.weight [10,64]" }, result.DroppedTensors.Order());
        foreach (var (key, tensor) in model.state_dict())
        {
            if (key.StartsWith("head.", StringComparison.Ordinal))
                Assert.True(BitEqual(initial[key], tensor), $"{key} should keep the model's own initialisation");
            else
                Assert.True(BitEqual(checkpoint.Tensors[key], tensor), $"{key} should be the checkpoint's, bit for bit");
        }
    }

    [Fact]
    public void A_fitting_head_loads_as_usual_with_the_option()
    {
        using var folder = new TempDirectory();
        string path = SavedMicro(folder);
        using var checkpoint = Safetensors.ReadAll(path);
        using var model = new TorchvisionMicro(seed: 3);
        var result = model.LoadSafetensors(path, FineTune);
        Assert.Empty(result.ReinitializedTensors);
        Assert.Empty(result.DroppedTensors);
        Assert.True(BitEqual(checkpoint.Tensors["head.weight"], model.state_dict()["head.weight"]));
    }

    [Fact]
    public void A_headless_model_loads_the_backbone_and_the_head_is_reported_dropped()
    {
        using var folder = new TempDirectory();
        string path = SavedMicro(folder);
        using var checkpoint = Safetensors.ReadAll(path);
        using var model = new MicroBackbone(seed: 3);
        Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path)); // strict by default: the head is unexpected
        var result = model.LoadSafetensors(path, FineTune);
        Assert.Empty(result.ReinitializedTensors);
        Assert.Equal(new[] { "head.bias [10]", "head.weight [10,64]" }, result.DroppedTensors.Order());
        foreach (var (key, tensor) in model.state_dict())
            Assert.True(BitEqual(checkpoint.Tensors[key], tensor), key);
    }

    [Fact]
    public void Pre_logits_are_dropped_with_the_head_when_the_new_model_has_none()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("prelogits.safetensors");
        using (var source = Perturbed(new TorchvisionPrelogits(seed: 1), 1)) source.SaveSafetensors(path);
        using var model = new PrelogitsDroppedThreeClasses(seed: 2);
        var initial = Snapshot(model);
        var result = model.LoadSafetensors(path, FineTune);
        Assert.Equal(new[] { "head.bias [3]", "head.weight [3,48]" }, result.ReinitializedTensors.Order());
        Assert.Equal(new[] { "head.bias [7]", "head.weight [7,32]", "pre_logits.fc.bias [32]", "pre_logits.fc.weight [32,48]" }, result.DroppedTensors.Order());
        Assert.True(BitEqual(initial["head.weight"], model.state_dict()["head.weight"]));
    }

    [Fact]
    public void Position_embedding_resampling_and_dtype_conversion_keep_working_when_fine_tuning()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = SavedMicro(folder, ScalarType.Float16);
        using var checkpoint = Safetensors.ReadAll(path);
        using var model = new MicroFourClassesAt48(seed: 3);

        var result = model.LoadSafetensors(path, FineTune);

        Assert.Equal((4L, 4L), result.PositionEmbeddingResampledFrom);
        Assert.Equal(new[] { "head.bias [4]", "head.weight [4,64]" }, result.ReinitializedTensors.Order());
        var weights = model.state_dict();
        Assert.Equal(ScalarType.Float32, weights["blocks.0.attn.qkv.weight"].dtype);
        Assert.True(BitEqual(checkpoint.Tensors["blocks.0.attn.qkv.weight"].to(ScalarType.Float32), weights["blocks.0.attn.qkv.weight"]));
        Assert.Equal(new long[] { 1, 37, 64 }, weights["pos_embed"].shape);
    }

    [Fact]
    public void Everything_but_the_classifier_stays_strict_with_the_option()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = new TorchvisionMicro(seed: 1);
        var tensors = new Dictionary<string, Tensor>(donor.state_dict());
        tensors.Remove("blocks.1.norm1.weight");
        string path = folder.File("incomplete.safetensors");
        Safetensors.Write(path, tensors);
        using var model = new MicroFourClasses(seed: 3);
        var before = Snapshot(model);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path, FineTune));
        Assert.Equal(new[] { "blocks.1.norm1.weight [64]" }, error.Missing);
        Assert.Empty(error.WrongShape);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void Reset_replaces_a_head_of_the_same_class_count_and_reports_it()
    {
        // timm's reset_classifier: a 10-class checkpoint fine-tuned on 10 new classes must not start from the old head.
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = SavedMicro(folder);
        using var checkpoint = Safetensors.ReadAll(path);
        using var model = new TorchvisionMicro(seed: 3);
        var initial = Snapshot(model);

        var result = model.LoadSafetensors(path, Reset);

        Assert.Equal(new[] { "head.bias [10]", "head.weight [10,64]" }, result.ReinitializedTensors.Order());
        Assert.Equal(new[] { "head.bias [10]", "head.weight [10,64]" }, result.DroppedTensors.Order());
        foreach (var (key, tensor) in model.state_dict())
        {
            if (key.StartsWith("head.", StringComparison.Ordinal))
            {
                Assert.True(BitEqual(initial[key], tensor), $"{key} should keep the model's own initialisation");
                Assert.False(BitEqual(checkpoint.Tensors[key], tensor), $"{key} still holds the checkpoint's head");
            }
            else
                Assert.True(BitEqual(checkpoint.Tensors[key], tensor), $"{key} should be the checkpoint's, bit for bit");
        }
    }

    [Fact]
    public void Reset_also_replaces_a_head_of_another_class_count_and_leaves_out_pre_logits()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        string path = folder.File("prelogits.safetensors");
        using (var source = Perturbed(new TorchvisionPrelogits(seed: 1), 1)) source.SaveSafetensors(path);
        using var model = new PrelogitsDroppedThreeClasses(seed: 2);
        var result = model.LoadSafetensors(path, Reset);
        Assert.Equal(new[] { "head.bias [3]", "head.weight [3,48]" }, result.ReinitializedTensors.Order());
        Assert.Equal(new[] { "head.bias [7]", "head.weight [7,32]", "pre_logits.fc.bias [32]", "pre_logits.fc.weight [32,48]" }, result.DroppedTensors.Order());
    }

    [Fact]
    public void Everything_but_the_classifier_stays_strict_with_a_reset()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = new TorchvisionMicro(seed: 1);
        var tensors = new Dictionary<string, Tensor>(donor.state_dict());
        tensors.Remove("blocks.1.norm1.weight");
        string path = folder.File("incomplete.safetensors");
        Safetensors.Write(path, tensors);
        using var model = new TorchvisionMicro(seed: 3);
        var before = Snapshot(model);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path, Reset));
        Assert.Equal(new[] { "blocks.1.norm1.weight [64]" }, error.Missing);
        AssertUnchanged(model, before);
    }
}
