using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ShapedVit.Checkpoints;
using ShapedVit.Hub;
using ShapedVit.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Models.Tests;

/// <summary>
/// The weights <see cref="PretrainedTests"/> serves, made once for the class: timm's <c>vit_tiny_patch16_224</c> (the
/// smallest real architecture of the catalogue, 5.7M parameters) in timm's naming, and <c>vit_small_patch14_dinov2</c>
/// (the smallest DINOv2, 22M) renamed to transformers' Dinov2Model keys, each with the model it was saved from.
/// </summary>
public sealed class PretrainedWeightsFixture : IDisposable
{
    public PretrainedWeightsFixture()
    {
        using var folder = new TempDirectory();
        Tiny = Timm.Create("vit_tiny_patch16_224", seed: 11);
        string tiny = folder.File("tiny.safetensors");
        Safetensors.Write(tiny, Tiny.state_dict());
        TinyBytes = File.ReadAllBytes(tiny);

        Dinov2 = Timm.Create("vit_small_patch14_dinov2", seed: 12);
        string dinov2 = folder.File("dinov2.safetensors");
        using (var scope = torch.NewDisposeScope())
            Safetensors.Write(dinov2, ToTransformersDinov2(Dinov2.state_dict()));
        Dinov2Bytes = File.ReadAllBytes(dinov2);
    }

    public nn.Module<Tensor, Tensor> Tiny { get; }
    public byte[] TinyBytes { get; }
    public nn.Module<Tensor, Tensor> Dinov2 { get; }
    public byte[] Dinov2Bytes { get; }

    /// <summary>timm's keys as transformers' Dinov2Model names them (qkv split into query, key, value; its mask token added).</summary>
    private static Dictionary<string, Tensor> ToTransformersDinov2(Dictionary<string, Tensor> timm)
    {
        var hf = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["embeddings.mask_token"] = torch.zeros(1, 384) };
        foreach (var (key, tensor) in timm)
        {
            Match m;
            if (key == "cls_token") hf["embeddings.cls_token"] = tensor;
            else if (key == "pos_embed") hf["embeddings.position_embeddings"] = tensor;
            else if ((m = Regex.Match(key, @"^patch_embed\.proj\.(weight|bias)$")).Success) hf[$"embeddings.patch_embeddings.projection.{m.Groups[1]}"] = tensor;
            else if ((m = Regex.Match(key, @"^norm\.(weight|bias)$")).Success) hf[$"layernorm.{m.Groups[1]}"] = tensor;
            else if ((m = Regex.Match(key, @"^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$")).Success)
            {
                var parts = tensor.chunk(3, 0);
                string[] names = ["query", "key", "value"];
                for (int i = 0; i < 3; i++) hf[$"encoder.layer.{m.Groups[1]}.attention.attention.{names[i]}.{m.Groups[2]}"] = parts[i].contiguous();
            }
            else if ((m = Regex.Match(key, @"^blocks\.(\d+)\.attn\.proj\.(weight|bias)$")).Success) hf[$"encoder.layer.{m.Groups[1]}.attention.output.dense.{m.Groups[2]}"] = tensor;
            else if ((m = Regex.Match(key, @"^blocks\.(\d+)\.(norm[12])\.(weight|bias)$")).Success) hf[$"encoder.layer.{m.Groups[1]}.{m.Groups[2]}.{m.Groups[3]}"] = tensor;
            else if ((m = Regex.Match(key, @"^blocks\.(\d+)\.ls([12])\.gamma$")).Success) hf[$"encoder.layer.{m.Groups[1]}.layer_scale{m.Groups[2]}.lambda1"] = tensor;
            else if ((m = Regex.Match(key, @"^blocks\.(\d+)\.mlp\.(fc[12])\.(weight|bias)$")).Success) hf[$"encoder.layer.{m.Groups[1]}.mlp.{m.Groups[2]}.{m.Groups[3]}"] = tensor;
            else throw new InvalidOperationException($"the test's DINOv2 renaming has no rule for {key}");
        }
        return hf;
    }

    public void Dispose()
    {
        Tiny.Dispose();
        Dinov2.Dispose();
    }
}

/// <summary>
/// <c>Timm.Create(name, pretrained: true)</c> against the loopback Hub of ShapedVit.Testing: timm names (default tag,
/// explicit tag), <c>hf-hub:</c> repos with timm's and transformers' config.json, a new head, offline reuse, the errors.
/// Nothing here touches the internet.
/// </summary>
public sealed class PretrainedTests(PretrainedWeightsFixture weights) : LoopbackHubTest, IClassFixture<PretrainedWeightsFixture>
{
    private const string TinyRepo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";
    private static readonly string[] Labels = [.. Enumerable.Range(0, 1000).Select(i => $"label {i}")];

    private HubOptions Options(bool offline = false) => new()
    {
        Endpoint = Hub.Endpoint,
        CacheDirectory = Path.Combine(Folder.Path, "hub"),
        Offline = offline,
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    private static byte[] Json(object value) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value));

    private static byte[] TimmConfig(string architecture, object? pretrainedCfg = null) => Json(new
    {
        architecture,
        num_classes = 1000,
        label_names = Labels,
        pretrained_cfg = pretrainedCfg,
    });

    private void AddTiny(string repo = TinyRepo, object? pretrainedCfg = null, string architecture = "vit_tiny_patch16_224")
    {
        Hub.Add(repo, "config.json", TimmConfig(architecture, pretrainedCfg), lfs: false);
        Hub.Add(repo, "model.safetensors", weights.TinyBytes);
    }

    private static void AssertSameTensor(nn.Module expected, nn.Module actual, string key)
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(expected.state_dict()[key].allclose(actual.state_dict()[key], rtol: 0, atol: 0), $"{key} differs from the served weights");
    }

    private int GetRequests() => Hub.Requests.Count(r => r.Method is "GET" or "HEAD");

    [Fact]
    public async Task A_bare_architecture_downloads_timms_default_tag_and_loads_it_with_its_metadata()
    {
        AddTiny();

        using var model = await Timm.CreateAsync("vit_tiny_patch16_224", pretrained: true, hubOptions: Options());

        foreach (var key in new[] { "cls_token", "pos_embed", "blocks.11.attn.qkv.weight", "head.weight", "head.bias" })
            AssertSameTensor(weights.Tiny, model, key);
        var metadata = Timm.MetadataOf(model)!;
        Assert.Equal("vit_tiny_patch16_224.augreg_in21k_ft_in1k", metadata.ModelName);
        Assert.Equal(Labels, metadata.Labels);
        Assert.Equal(Timm.PretrainedConfig("vit_tiny_patch16_224.augreg_in21k_ft_in1k").Preprocessing, metadata.Preprocessing);
        Assert.Equal(new PreprocessConfig(224, 0.9, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]) { Interpolation = Interpolation.Bicubic }, metadata.Preprocessing);
        Assert.Equal(TinyRepo, metadata.Extra[Timm.HubRepoKey]);
        Assert.Equal(Hub.Repos[TinyRepo].Commit, metadata.Extra[Timm.HubCommitKey]);
        Assert.Contains("\"hf_hub_id\":\"" + TinyRepo + "\"", metadata.Extra[TimmPretrainedConfig.MetadataKey]);
        Assert.Equal(1000, ((IVisionTransformer)model).Spec.NumClasses);
    }

    [Fact]
    public void An_explicit_tag_is_its_own_repo_with_that_tags_pretrained_cfg()
    {
        // deit_tiny_patch16_224 is vit_tiny_patch16_224's geometry with another tag and another pretrained_cfg.
        const string repo = "timm/deit_tiny_patch16_224.fb_in1k";
        AddTiny(repo, architecture: "deit_tiny_patch16_224");
        var progress = new List<HubDownloadProgress>();

        using var model = Timm.Create("deit_tiny_patch16_224.fb_in1k", pretrained: true, hubOptions: Options(), progress: new SyncProgress(progress.Add));

        AssertSameTensor(weights.Tiny, model, "blocks.5.mlp.fc2.weight");
        var metadata = Timm.MetadataOf(model)!;
        Assert.Equal("deit_tiny_patch16_224.fb_in1k", metadata.ModelName);
        Assert.Equal(Timm.PretrainedConfig("deit_tiny_patch16_224.fb_in1k").Preprocessing, metadata.Preprocessing);
        Assert.Equal([0.485f, 0.456f, 0.406f], metadata.Preprocessing!.Mean);
        Assert.Equal(repo, metadata.Extra[Timm.HubRepoKey]);
        Assert.Contains(progress, p => p.FileName == "model.safetensors" && p.BytesDone == weights.TinyBytes.Length);
        Assert.All(Hub.Requests.Where(r => r.Server == "hub"), r => Assert.Contains("/" + repo + "/resolve/main/", r.Target));
    }

    [Fact]
    public void The_registry_adapter_gives_timms_default_tags_and_hub_ids()
    {
        Assert.Equal("augreg_in21k_ft_in1k", Timm.HubRegistry.DefaultTag("vit_tiny_patch16_224"));
        Assert.Null(Timm.HubRegistry.DefaultTag("vit_large_patch14_224"));   // untrained: timm publishes no weights
        Assert.Null(Timm.HubRegistry.DefaultTag("no_such_vit"));
        Assert.Equal("timm/vit_base_patch16_clip_224.openai", Timm.HubRegistry.HubId("vit_base_patch16_clip_quickgelu_224", "openai"));
        Assert.Equal("timm/vit_base_patch16_clip_224.openai", HubModelName.Parse("vit_base_patch16_clip_quickgelu_224.openai", Timm.HubRegistry).RepoId);
        Assert.Equal("timm/vit_small_patch14_dinov2.lvd142m", HubModelName.Parse("vit_small_patch14_dinov2", Timm.HubRegistry).RepoId);
    }

    [Fact]
    public async Task An_hf_hub_repo_with_timms_config_builds_its_architecture_with_its_own_pretrained_cfg()
    {
        const string repo = "someone/tiny-vit";
        AddTiny(repo, new { input_size = new[] { 3, 224, 224 }, mean = new[] { 0.1, 0.2, 0.3 }, std = new[] { 0.4, 0.5, 0.6 }, crop_pct = 0.95, interpolation = "bilinear" });

        using var model = await Timm.CreateAsync("hf-hub:" + repo, pretrained: true, hubOptions: Options());

        AssertSameTensor(weights.Tiny, model, "head.weight");
        var metadata = Timm.MetadataOf(model)!;
        Assert.Equal("hf-hub:" + repo, metadata.ModelName);
        Assert.Equal(Labels, metadata.Labels);
        Assert.Equal(new PreprocessConfig(224, 0.95, [0.1f, 0.2f, 0.3f], [0.4f, 0.5f, 0.6f]) { Interpolation = Interpolation.Bilinear }, metadata.Preprocessing);
        Assert.Equal(repo, metadata.Extra[Timm.HubRepoKey]);
        Assert.Contains("\"architecture\":\"vit_tiny_patch16_224\",\"tag\":null,\"hf_hub_id\":\"someone/tiny-vit\"", metadata.Extra[TimmPretrainedConfig.MetadataKey]);
    }

    [Fact]
    public async Task An_hf_hub_repo_with_a_transformers_config_loads_transformers_dinov2_names()
    {
        const string repo = "facebook/dinov2-small";
        Hub.Add(repo, "config.json", Json(new
        {
            model_type = "dinov2", architectures = new[] { "Dinov2Model" }, hidden_size = 384, num_hidden_layers = 12, num_attention_heads = 6,
            patch_size = 14, image_size = 518, layerscale_value = 1.0,
        }), lfs: false);
        Hub.Add(repo, "model.safetensors", weights.Dinov2Bytes);

        using var model = await Timm.CreateAsync("hf-hub:" + repo, pretrained: true, hubOptions: Options());

        Assert.Equal(0, ((IVisionTransformer)model).Spec.NumClasses);   // Dinov2Model has no classifier: headless, as timm's
        foreach (var key in new[] { "cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.7.attn.qkv.weight", "blocks.7.attn.qkv.bias", "blocks.11.ls2.gamma", "norm.bias" })
            AssertSameTensor(weights.Dinov2, model, key);
        var metadata = Timm.MetadataOf(model)!;
        Assert.Equal("hf-hub:" + repo, metadata.ModelName);
        Assert.Null(metadata.Labels);
        // transformers keeps its preprocessing in preprocessor_config.json: the architecture's default tag's is used.
        Assert.Equal(Timm.PretrainedConfig("vit_small_patch14_dinov2").Preprocessing, metadata.Preprocessing);
    }

    [Fact]
    public void A_different_class_count_re_initialises_the_head_and_keeps_the_rest()
    {
        AddTiny();

        using var model = Timm.Create("vit_tiny_patch16_224.augreg_in21k_ft_in1k", pretrained: true, numClasses: 5, seed: 3, hubOptions: Options());
        using var fresh = Timm.Create("vit_tiny_patch16_224", numClasses: 5, seed: 3);
        using var headless = Timm.Create("vit_tiny_patch16_224", pretrained: true, numClasses: 0, hubOptions: Options());

        Assert.Equal(5, ((IVisionTransformer)model).Spec.NumClasses);
        AssertSameTensor(weights.Tiny, model, "blocks.0.attn.qkv.weight");
        AssertSameTensor(fresh, model, "head.weight");   // the initialisation a new head of 5 classes gets with this seed
        Assert.Null(Timm.MetadataOf(model)!.Labels);       // the repo's label_names name the old head's classes
        Assert.Contains(", classes 5,", Timm.MetadataOf(model)!.Architecture);
        Assert.DoesNotContain(headless.state_dict().Keys, k => k.StartsWith("head.", StringComparison.Ordinal));
        AssertSameTensor(weights.Tiny, headless, "norm.weight");
    }

    [Fact]
    public void A_cached_model_is_reused_offline_with_no_request()
    {
        AddTiny();
        using (Timm.Create("vit_tiny_patch16_224", pretrained: true, hubOptions: Options())) { }
        int requests = GetRequests();

        using var model = Timm.Create("vit_tiny_patch16_224", pretrained: true, hubOptions: Options(offline: true));

        Assert.Equal(requests, GetRequests());
        AssertSameTensor(weights.Tiny, model, "head.bias");
        Assert.Equal(Labels, Timm.MetadataOf(model)!.Labels);
    }

    [Fact]
    public void A_repo_with_only_pickled_weights_is_the_hubs_one_line_error()
    {
        Hub.Add(TinyRepo, "config.json", TimmConfig("vit_tiny_patch16_224"), lfs: false);
        Hub.Add(TinyRepo, "pytorch_model.bin", FakeHub.Bytes(2_000));

        var error = Assert.Throws<HubException>(() => Timm.Create("vit_tiny_patch16_224", pretrained: true, hubOptions: Options()));

        Assert.Equal(HubErrorKind.PickleOnly, error.Kind);
        Assert.Equal($"{TinyRepo}@main has only pickled PyTorch weights (pytorch_model.bin), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has model.safetensors", error.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == "GET" && r.Target.EndsWith("pytorch_model.bin", StringComparison.Ordinal));
    }

    [Fact]
    public void Names_without_weights_and_unknown_names_are_one_line_and_send_no_request()
    {
        var untrained = Assert.Throws<ArgumentException>(() => Timm.Create("vit_large_patch14_224", pretrained: true, hubOptions: Options()));
        Assert.Equal("vit_large_patch14_224: timm publishes no weights for vit_large_patch14_224.untrained (Timm.PretrainedNames lists the names that have them); build it with Timm.Create(name) for timm's initialisation. (Parameter 'name')", untrained.Message);
        var unknown = Assert.Throws<UnknownModelException>(() => Timm.Create("vit_tiny_patch16_224.augreg_in1x", pretrained: true, hubOptions: Options()));
        Assert.StartsWith("Unknown timm model 'vit_tiny_patch16_224.augreg_in1x': vit_tiny_patch16_224 has no tag 'augreg_in1x'", unknown.Message);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public void An_hf_hub_config_naming_an_architecture_outside_the_catalogue_is_one_line_naming_the_repo_and_field()
    {
        const string repo = "someone/convnet";
        Hub.Add(repo, "config.json", Json(new { architecture = "resnet50", num_classes = 1000 }), lfs: false);
        Hub.Add(repo, "model.safetensors", FakeHub.Bytes(1_000));

        var error = Assert.Throws<ArgumentException>(() => Timm.Create("hf-hub:" + repo, pretrained: true, hubOptions: Options()));

        Assert.StartsWith($"{repo}@main config.json: field architecture: 'resnet50' is not an architecture of the catalogue; the nearest are ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Without_pretrained_an_hf_hub_name_reads_only_its_config_json()
    {
        AddTiny("someone/tiny-vit");

        using var model = Timm.Create("hf-hub:someone/tiny-vit", pretrained: false, numClasses: 3, seed: 1, hubOptions: Options());

        Assert.Equal(3, ((IVisionTransformer)model).Spec.NumClasses);
        Assert.DoesNotContain(Hub.Requests, r => r.Target.Contains("model.safetensors", StringComparison.Ordinal));
        Assert.Equal("hf-hub:someone/tiny-vit", Timm.MetadataOf(model)!.ModelName);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, after the test may have looked).</summary>
    private sealed class SyncProgress(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        private readonly Lock gate = new();
        public void Report(HubDownloadProgress value)
        {
            lock (gate) report(value);
        }
    }
}
