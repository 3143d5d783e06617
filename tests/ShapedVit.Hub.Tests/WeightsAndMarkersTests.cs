using ShapedVit.Testing;
using static ShapedVit.Hub.Tests.TestSupport;

namespace ShapedVit.Hub.Tests;

/// <summary>Sharded safetensors, huggingface_hub's <c>.no_exist</c> markers, pickle-only repos and configs that match no
/// timm architecture, against the loopback Hub.</summary>
public sealed class WeightsAndMarkersTests : LoopbackHubTest
{
    private const string TimmRepo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";

    private const string Dinov2Small = """{"architectures": ["Dinov2Model"], "hidden_size": 384, "image_size": 518, "model_type": "dinov2", "num_attention_heads": 6, "num_hidden_layers": 12, "patch_size": 14}""";

    private static string Index(params (string Tensor, string Shard)[] map) =>
        "{\"metadata\": {\"total_size\": 1234}, \"weight_map\": {" + string.Join(", ", map.Select(m => $"\"{m.Tensor}\": \"{m.Shard}\"")) + "}}";

    [Fact]
    public async Task Sharded_weights_download_every_shard_the_index_lists_each_verified_into_the_python_layout()
    {
        const string repo = "facebook/dinov2-small";
        Hub.Add(repo, "config.json", Utf8(Dinov2Small), lfs: false);
        Hub.Add(repo, "model.safetensors.index.json", Utf8(Index(("embeddings.cls_token", "model-00001-of-00002.safetensors"),
            ("encoder.layer.0.norm1.weight", "model-00001-of-00002.safetensors"), ("layernorm.weight", "model-00002-of-00002.safetensors"))), lfs: false);
        var first = Hub.Add(repo, "model-00001-of-00002.safetensors", FakeHub.Bytes(30_000, seed: 1));
        var second = Hub.Add(repo, "model-00002-of-00002.safetensors", FakeHub.Bytes(20_000, seed: 2));
        using var client = Client(Hub, Folder);

        var files = await client.DownloadModelAsync(HubModelName.Parse("hf-hub:" + repo));

        Assert.True(files.IsSharded);
        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], files.WeightFiles.Select(f => f.FileName));
        Assert.Equal("vit_small_patch14_dinov2", files.TimmArchitecture);
        var commit = Hub.Repos[repo].Commit;
        AssertPythonLayout(client.CacheDirectory, repo, "main", commit, "model-00001-of-00002.safetensors", first.Sha256, first.Content);
        AssertPythonLayout(client.CacheDirectory, repo, "main", commit, "model-00002-of-00002.safetensors", second.Sha256, second.Content);
        Assert.True(File.Exists(Path.Combine(client.CacheDirectory, "models--facebook--dinov2-small", ".no_exist", commit, "model.safetensors")));
        // The shards are asked for at the index's commit, so all of them come from one snapshot even if main moves meanwhile.
        Assert.All(Hub.On("hub").Where(r => r.Target.Contains("model-0")), r => Assert.Contains($"/resolve/{commit}/", r.Target));

        using var offline = Client(Hub, Folder, offline: true);
        var again = await offline.DownloadModelAsync(HubModelName.Parse("hf-hub:" + repo));
        Assert.Equal(files.WeightFiles.Select(f => f.Path), again.WeightFiles.Select(f => f.Path));
    }

    [Fact]
    public async Task An_altered_shard_is_refused_and_nothing_of_it_is_kept()
    {
        const string repo = "facebook/dinov2-small";
        Hub.Add(repo, "config.json", Utf8(Dinov2Small), lfs: false);
        Hub.Add(repo, "model.safetensors.index.json", Utf8(Index(("a", "model-00001-of-00002.safetensors"), ("b", "model-00002-of-00002.safetensors"))), lfs: false);
        Hub.Add(repo, "model-00001-of-00002.safetensors", FakeHub.Bytes(10_000, seed: 1));
        var altered = Hub.Add(repo, "model-00002-of-00002.safetensors", FakeHub.Bytes(10_000, seed: 2));
        altered.Served = FakeHub.Bytes(10_000, seed: 3);
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:" + repo)));

        Assert.Equal(HubErrorKind.IntegrityMismatch, error.Kind);
        Assert.StartsWith("facebook/dinov2-small model-00002-of-00002.safetensors: the downloaded bytes have sha256 ", error.Message);
        var repoFolder = Path.Combine(client.CacheDirectory, "models--facebook--dinov2-small");
        Assert.False(File.Exists(Path.Combine(repoFolder, "blobs", altered.Sha256)));
        Assert.Empty(Directory.GetFiles(Path.Combine(repoFolder, "blobs"), "*.incomplete"));
        Assert.False(File.Exists(Path.Combine(repoFolder, "snapshots", Hub.Repos[repo].Commit, "model-00002-of-00002.safetensors")));
    }

    [Theory]
    [InlineData("../../escape.safetensors", "field weight_map.a: '../../escape.safetensors' is not a .safetensors file name beside the index")]
    [InlineData("sub/model.safetensors", "field weight_map.a: 'sub/model.safetensors' is not a .safetensors file name beside the index")]
    [InlineData("pytorch_model-00001.bin", "field weight_map.a: 'pytorch_model-00001.bin' is not a .safetensors file name beside the index")]
    public async Task An_index_naming_anything_but_a_safetensors_file_beside_it_is_refused_before_any_shard(string shard, string problem)
    {
        const string repo = "facebook/dinov2-small";
        Hub.Add(repo, "config.json", Utf8(Dinov2Small), lfs: false);
        Hub.Add(repo, "model.safetensors.index.json", Utf8(Index(("a", shard))), lfs: false);
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:" + repo)));

        Assert.Equal(HubErrorKind.InvalidConfig, error.Kind);
        Assert.EndsWith("model.safetensors.index.json: " + problem, error.Message);
        Assert.Empty(Hub.On("cdn"));
    }

    [Theory]
    [InlineData("""{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}""", "field weight_map.a: appears twice")]
    [InlineData("""{"metadata": {}}""", "field weight_map: missing")]
    [InlineData("""{"weight_map": {}}""", "field weight_map: empty")]
    [InlineData("""{"weight_map": {"a": 3}}""", "field weight_map.a: not a file name")]
    [InlineData("""{"weight_map": [1]""", "field (file): not valid JSON")]
    public void A_malformed_index_is_one_line(string json, string problem)
    {
        var error = Assert.Throws<HubException>(() => SafetensorsIndex.Parse(Utf8(json), "cache/model.safetensors.index.json"));

        Assert.StartsWith("cache/model.safetensors.index.json: " + problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_missing_config_is_recorded_under_no_exist_as_huggingface_hub_does_and_the_model_then_resolves_offline()
    {
        // A timm repo without config.json (older timm uploads): the name says the architecture.
        var weights = Hub.Add(TimmRepo, "model.safetensors", FakeHub.Bytes(5_000));
        var name = HubModelName.Parse("vit_tiny_patch16_224.augreg_in21k_ft_in1k");
        using (var online = Client(Hub, Folder)) await online.DownloadModelAsync(name);
        var commit = Hub.Repos[TimmRepo].Commit;
        var marker = Path.Combine(Folder.Path, "hub", "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", ".no_exist", commit, "config.json");
        Assert.True(File.Exists(marker));
        Assert.Equal(0, new FileInfo(marker).Length);
        var requests = Hub.Requests.Count;
        using var offline = Client(Hub, Folder, offline: true);

        var files = await offline.DownloadModelAsync(name);

        Assert.Equal(requests, Hub.Requests.Count);
        Assert.Null(files.Config);
        Assert.Equal("vit_tiny_patch16_224", files.TimmArchitecture);
        Assert.Equal(weights.Content, File.ReadAllBytes(files.Weights.Path));
        Assert.True(offline.IsCachedAsMissing(TimmRepo, "config.json"));
        Assert.False(offline.IsCachedAsMissing(TimmRepo, "model.safetensors"));
    }

    [Fact]
    public async Task A_no_exist_marker_python_wrote_is_honoured_for_a_commit_without_a_request()
    {
        var commit = FakeHub.Commit(TimmRepo);
        var marker = Path.Combine(Folder.Path, "hub", "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", ".no_exist", commit, "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllBytes(marker, []);
        Hub.Add(TimmRepo, "config.json", Utf8("""{"architecture": "vit_tiny_patch16_224"}"""), lfs: false);   // the Hub would say otherwise
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(TimmRepo, "config.json", commit));

        Assert.Equal(HubErrorKind.EntryNotFound, error.Kind);
        Assert.Equal($"{TimmRepo}@{commit}: no file config.json (the cache records it as missing at commit {commit}, in .no_exist)", error.Message);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public async Task Offline_a_file_recorded_as_missing_is_entry_not_found_and_one_never_seen_is_not_cached()
    {
        Hub.Add(TimmRepo, "model.safetensors", FakeHub.Bytes(100));
        using (var online = Client(Hub, Folder))
            await Assert.ThrowsAsync<HubException>(() => online.DownloadAsync(TimmRepo, "config.json"));
        using var offline = Client(Hub, Folder, offline: true);

        var missing = await Assert.ThrowsAsync<HubException>(() => offline.DownloadAsync(TimmRepo, "config.json"));
        var unknown = await Assert.ThrowsAsync<HubException>(() => offline.DownloadAsync(TimmRepo, "README.md"));

        Assert.Equal(HubErrorKind.EntryNotFound, missing.Kind);
        Assert.Equal(HubErrorKind.NotCached, unknown.Kind);
    }

    [Fact]
    public async Task The_no_exist_oracle_catches_a_planted_fault_a_marker_for_another_commit_is_not_honoured()
    {
        // Planted: a marker under a commit main does not point at: the file must be asked for (and found).
        var marker = Path.Combine(Folder.Path, "hub", "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", ".no_exist", FakeHub.Commit("old"), "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllBytes(marker, []);
        Hub.Add(TimmRepo, "config.json", Utf8("""{"architecture": "vit_tiny_patch16_224"}"""), lfs: false);
        using var client = Client(Hub, Folder);

        var file = await client.DownloadAsync(TimmRepo, "config.json");

        Assert.True(file.Downloaded);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("open_clip_pytorch_model.bin")]
    [InlineData("model.pth")]
    public async Task A_repo_with_only_pickled_weights_is_refused_naming_the_repo_and_the_pickle_never_fetched(string pickle)
    {
        Hub.Add("someone/dinov2-finetune", "config.json", Utf8(Dinov2Small), lfs: false);
        Hub.Add("someone/dinov2-finetune", pickle, FakeHub.Bytes(1_000));
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:someone/dinov2-finetune")));

        Assert.Equal(HubErrorKind.PickleOnly, error.Kind);
        Assert.Equal($"someone/dinov2-finetune@main has only pickled PyTorch weights ({pickle}), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has model.safetensors", error.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == "GET" && r.Target.Contains(pickle));
    }

    [Fact]
    public async Task A_config_of_an_unsupported_model_is_refused_before_the_weights_are_downloaded()
    {
        Hub.Add("microsoft/swin-tiny", "config.json", Utf8("""{"model_type": "swin", "architectures": ["SwinForImageClassification"]}"""), lfs: false);
        Hub.Add("microsoft/swin-tiny", "model.safetensors", FakeHub.Bytes(10_000));
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:microsoft/swin-tiny")));

        Assert.Equal(HubErrorKind.UnsupportedArchitecture, error.Kind);
        Assert.EndsWith("config.json: field model_type: SwinForImageClassification matches no timm architecture: model_type 'swin' has no timm counterpart here (known: vit, deit, dinov2, dinov2_with_registers, clip, clip_vision_model, siglip, siglip_vision_model)", error.Message);
        Assert.Empty(Hub.On("cdn"));
    }

    [Fact]
    public async Task An_unsupported_config_in_a_repo_with_only_pickles_says_safetensors_only()
    {
        Hub.Add("someone/swin-old", "config.json", Utf8("""{"model_type": "swin"}"""), lfs: false);
        Hub.Add("someone/swin-old", "pytorch_model.bin", FakeHub.Bytes(1_000));
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:someone/swin-old")));

        Assert.Equal(HubErrorKind.PickleOnly, error.Kind);
    }

    [Fact]
    public async Task A_timm_name_builds_its_own_architecture_even_when_the_repo_config_names_another()
    {
        // timm publishes vit_base_patch16_clip_quickgelu_224.openai in the repo of vit_base_patch16_clip_224.openai.
        const string repo = "timm/vit_base_patch16_clip_224.openai";
        Hub.Add(repo, "config.json", Utf8("""{"architecture": "vit_base_patch16_clip_224", "num_classes": 512}"""), lfs: false);
        Hub.Add(repo, "open_clip_config.json", Utf8("{}"), lfs: false);
        Hub.Add(repo, "model.safetensors", FakeHub.Bytes(1_000));
        using var client = Client(Hub, Folder);

        var files = await client.DownloadModelAsync(HubModelName.Parse("vit_base_patch16_clip_quickgelu_224.openai", TimmFixtureRegistry.Instance));

        Assert.Equal(repo, files.Weights.RepoId);
        Assert.Equal("vit_base_patch16_clip_quickgelu_224", files.TimmArchitecture);
        Assert.Equal("vit_base_patch16_clip_224", files.Architecture);
    }
}
