using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

public class StrictLoadingTests
{
    [Fact]
    public void Missing_unexpected_and_wrong_shaped_tensors_are_listed_together_and_nothing_is_loaded()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var model = Perturbed(new TorchvisionMicro(seed: 1), 1);
        var before = Snapshot(model);
        using var donor = Perturbed(new TorchvisionMicro(seed: 2), 2);
        var tensors = new Dictionary<string, Tensor>(donor.state_dict());
        tensors.Remove("head.bias");                                          // missing
        tensors.Remove("blocks.1.mlp.fc2.weight");                            // missing
        tensors["blocks.0.attn.q_norm.weight"] = torch.ones(16);              // unexpected
        tensors["blocks.0.mlp.fc1.weight"] = torch.zeros(128, 64);            // wrong shape
        tensors["cls_token"] = torch.zeros(1, 2, 64);                         // wrong shape
        tensors["norm.weight"] = torch.ones(64, dtype: ScalarType.Int64);     // integers do not become floats
        string path = folder.File("bad.safetensors");
        Safetensors.Write(path, tensors);

        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal(CheckpointRule.KeyMismatch, error.Rule);
        Assert.Equal(new[] { "blocks.1.mlp.fc2.weight [64,256]", "head.bias [10]" }, error.Missing.Order());
        Assert.Equal(new[] { "blocks.0.attn.q_norm.weight [16]" }, error.Unexpected);
        Assert.Equal(new[] { "blocks.0.mlp.fc1.weight: checkpoint [128,64], model [256,64]", "cls_token: checkpoint [1,2,64], model [1,1,64]" },
                     error.WrongShape.Order());
        Assert.Equal(new[] { "norm.weight: checkpoint Int64, model Float32" }, error.WrongDtype);
        foreach (var item in error.Missing.Concat(error.Unexpected).Concat(error.WrongShape).Concat(error.WrongDtype))
            Assert.Contains(item, error.Message);
        Assert.Contains("[KeyMismatch]", error.Message);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void Mismatches_are_reported_with_the_checkpoint_s_own_key_names()
    {
        using var folder = new TempDirectory();
        using var model = new TorchvisionMicro(seed: 1);
        // The prelogits fixture has another width: every tensor is the wrong shape or unexpected.
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(TorchvisionParityTests.Fixture("vit_prelogits.safetensors")));
        Assert.Contains("blocks.0.attn.qkv.weight (checkpoint: encoder.layers.encoder_layer_0.self_attention.in_proj_weight): checkpoint [144,48], model [192,64]", error.WrongShape);
        Assert.Contains("pre_logits.fc.weight (checkpoint: heads.pre_logits.weight) [32,48]", error.Unexpected);
        Assert.Contains("blocks.2.norm1.weight (checkpoint: encoder.layers.encoder_layer_2.ln_1.weight) [48]", error.Unexpected);
    }

    [Fact]
    public void A_model_without_a_square_source_grid_or_with_resampling_off_reports_the_position_embedding()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = new MicroAt48(seed: 1);
        string path = folder.File("at48.safetensors");
        donor.SaveSafetensors(path);
        using var model = new TorchvisionMicro(seed: 2);
        var before = Snapshot(model);

        var off = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path, new CheckpointLoadOptions { ResamplePositionEmbedding = false }));
        Assert.Equal(new[] { "pos_embed: checkpoint [1,37,64], model [1,17,64]; resampling is turned off" }, off.WrongShape);
        Assert.Empty(off.Missing);
        Assert.Empty(off.Unexpected);
        AssertUnchanged(model, before);

        // 35 tokens: no square grid after the class row, nor as a whole (36 would be a 6x6 no_embed_class grid).
        var tensors = new Dictionary<string, Tensor>(donor.state_dict()) { ["pos_embed"] = torch.zeros(1, 1 + 34, 64) };
        Safetensors.Write(path, tensors);
        var notSquare = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal(new[] { "pos_embed: checkpoint [1,35,64], model [1,17,64]; it cannot be resampled: 34 tokens after 1 prefix token(s) are no square grid" }, notSquare.WrongShape);
        AssertUnchanged(model, before);
    }

    [Theory]
    [InlineData("module.")]
    [InlineData("model.")]
    [InlineData("module.model.")]
    public void Wrapper_prefixes_of_every_key_are_removed(string prefix)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new TorchvisionMicro(seed: 1), 1);
        string path = folder.File("wrapped.safetensors");
        Safetensors.Write(path, donor.state_dict().ToDictionary(p => prefix + p.Key, p => p.Value));
        using var model = new TorchvisionMicro(seed: 2);
        Assert.Equal(CheckpointNaming.Timm, model.LoadSafetensors(path).Naming);
        Assert.True(BitEqual(donor.state_dict()["blocks.1.attn.qkv.weight"], model.state_dict()["blocks.1.attn.qkv.weight"]));
    }

    [Fact]
    public void A_prefix_that_only_some_keys_have_is_kept_and_reported()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = new TorchvisionMicro(seed: 1);
        string path = folder.File("partly.safetensors");
        Safetensors.Write(path, donor.state_dict().ToDictionary(p => p.Key == "head.bias" ? "module.head.bias" : p.Key, p => p.Value));
        using var model = new TorchvisionMicro(seed: 2);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.Equal(new[] { "head.bias [10]" }, error.Missing);
        Assert.Equal(new[] { "module.head.bias [10]" }, error.Unexpected);
    }

    [Fact]
    public void Keys_of_two_namings_at_once_are_rejected()
    {
        using var scope = NewDisposeScope();
        var mixed = new Dictionary<string, Tensor> { ["conv_proj.weight"] = torch.zeros(1), ["blocks.0.norm1.weight"] = torch.zeros(1) };
        var error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(mixed));
        Assert.Equal(CheckpointRule.UnknownNaming, error.Rule);
        Assert.Contains("timm, torchvision", error.Message);
    }

    [Fact]
    public void Hugging_Face_query_key_value_are_fused_in_that_order()
    {
        using var scope = NewDisposeScope();
        var q = torch.full(2, 3, 1f); var k = torch.full(2, 3, 2f); var v = torch.full(2, 3, 3f);
        var hf = new Dictionary<string, Tensor>
        {
            ["vit.encoder.layer.3.attention.attention.value.weight"] = v,
            ["vit.encoder.layer.3.attention.attention.query.weight"] = q,
            ["vit.encoder.layer.3.attention.attention.key.weight"] = k,
            ["vit.encoder.layer.3.attention.attention.key.bias"] = torch.ones(2), // query and value biases missing
            ["vit.encoder.layer.3.attention.output.dense.weight"] = torch.zeros(3, 3),
            ["vit.encoder.layer.3.output.dense.weight"] = torch.zeros(3, 3),
        };
        var timm = CheckpointKeys.ToTimm(hf);
        Assert.Equal(CheckpointNaming.HuggingFace, timm.Naming);
        var qkv = timm.Tensors["blocks.3.attn.qkv.weight"];
        Assert.Equal(new long[] { 6, 3 }, qkv.shape);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3 }, qkv.data<float>().ToArray());
        Assert.True(timm.Tensors.ContainsKey("blocks.3.attn.proj.weight"));
        Assert.True(timm.Tensors.ContainsKey("blocks.3.mlp.fc2.weight"));
        // An incomplete triple stays under its own name, so strict loading lists it as unexpected and qkv.bias as missing.
        Assert.True(timm.Tensors.ContainsKey("vit.encoder.layer.3.attention.attention.key.bias"));
        Assert.False(timm.Tensors.ContainsKey("blocks.3.attn.qkv.bias"));
    }

    [Theory]
    [InlineData("conv_proj.weight", "patch_embed.proj.weight")]
    [InlineData("class_token", "cls_token")]
    [InlineData("encoder.pos_embedding", "pos_embed")]
    [InlineData("encoder.layers.encoder_layer_11.ln_1.bias", "blocks.11.norm1.bias")]
    [InlineData("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", "blocks.0.attn.qkv.weight")]
    [InlineData("encoder.layers.encoder_layer_0.self_attention.in_proj_bias", "blocks.0.attn.qkv.bias")]
    [InlineData("encoder.layers.encoder_layer_0.self_attention.out_proj.weight", "blocks.0.attn.proj.weight")]
    [InlineData("encoder.layers.encoder_layer_0.ln_2.weight", "blocks.0.norm2.weight")]
    [InlineData("encoder.layers.encoder_layer_0.mlp.0.weight", "blocks.0.mlp.fc1.weight")]
    [InlineData("encoder.layers.encoder_layer_0.mlp.3.bias", "blocks.0.mlp.fc2.bias")]
    [InlineData("encoder.layers.encoder_layer_0.mlp.linear_1.weight", "blocks.0.mlp.fc1.weight")]
    [InlineData("encoder.layers.encoder_layer_0.mlp.linear_2.bias", "blocks.0.mlp.fc2.bias")]
    [InlineData("encoder.ln.weight", "norm.weight")]
    [InlineData("heads.pre_logits.bias", "pre_logits.fc.bias")]
    [InlineData("heads.head.weight", "head.weight")]
    [InlineData("encoder.layers.encoder_layer_0.mlp.1.weight", "encoder.layers.encoder_layer_0.mlp.1.weight")] // no rule: kept
    public void Torchvision_keys_map_to_timm(string torchvision, string timm)
    {
        using var scope = NewDisposeScope();
        var renamed = CheckpointKeys.ToTimm(new Dictionary<string, Tensor> { [torchvision] = torch.zeros(1), ["class_token"] = torch.zeros(1) });
        Assert.Equal(CheckpointNaming.Torchvision, renamed.Naming);
        Assert.Contains(timm, renamed.Tensors.Keys);
    }

    [Theory]
    [InlineData("vit.embeddings.cls_token", "cls_token")]
    [InlineData("embeddings.position_embeddings", "pos_embed")]
    [InlineData("vit.embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias")]
    [InlineData("vit.encoder.layer.2.layernorm_before.weight", "blocks.2.norm1.weight")]
    [InlineData("encoder.layer.2.attention.output.dense.bias", "blocks.2.attn.proj.bias")]
    [InlineData("vit.encoder.layer.2.layernorm_after.bias", "blocks.2.norm2.bias")]
    [InlineData("vit.encoder.layer.2.intermediate.dense.weight", "blocks.2.mlp.fc1.weight")]
    [InlineData("vit.encoder.layer.2.output.dense.weight", "blocks.2.mlp.fc2.weight")]
    [InlineData("vit.layernorm.weight", "norm.weight")]
    [InlineData("pooler.dense.weight", "pre_logits.fc.weight")]
    [InlineData("classifier.bias", "head.bias")]
    public void Hugging_Face_keys_map_to_timm(string huggingFace, string timm)
    {
        using var scope = NewDisposeScope();
        var renamed = CheckpointKeys.ToTimm(new Dictionary<string, Tensor> { [huggingFace] = torch.zeros(1), ["encoder.layer.0.layernorm_before.bias"] = torch.zeros(1) });
        Assert.Equal(CheckpointNaming.HuggingFace, renamed.Naming);
        Assert.Contains(timm, renamed.Tensors.Keys);
    }

    [Fact]
    public void A_naming_given_in_the_options_overrides_detection()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var model = new TorchvisionMicro(seed: 1);
        var error = Assert.Throws<CheckpointException>(() =>
            model.LoadSafetensors(TorchvisionParityTests.Fixture("vit_micro.safetensors"), new CheckpointLoadOptions { Naming = CheckpointNaming.Timm }));
        Assert.Contains("conv_proj.weight [64,3,8,8]", error.Unexpected);
        Assert.Contains("patch_embed.proj.weight [64,3,8,8]", error.Missing);
    }
}
