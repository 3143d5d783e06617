using ShapedVit.Testing;
using static ShapedVit.Hub.Tests.TestSupport;

namespace ShapedVit.Hub.Tests;

public sealed class ModelDownloadTests : LoopbackHubTest
{

    [Fact]
    public async Task A_timm_name_downloads_its_config_and_safetensors()
    {
        const string repo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";
        Hub.Add(repo, "config.json", Utf8("""{"architecture": "vit_tiny_patch16_224", "num_classes": 2, "label_names": ["cat", "dog"]}"""), lfs: false);
        var weights = FakeHub.Bytes(5_000);
        Hub.Add(repo, "model.safetensors", weights);
        using var client = Client(Hub, Folder);

        var files = await client.DownloadModelAsync(HubModelName.Parse("vit_tiny_patch16_224.augreg_in21k_ft_in1k"));

        Assert.Equal("vit_tiny_patch16_224", files.Architecture);
        Assert.Equal(["cat", "dog"], files.Config!.LabelNames);
        Assert.Equal(weights, File.ReadAllBytes(files.Weights.Path));
    }

    [Fact]
    public async Task A_downloaded_model_resolves_offline_with_no_request()
    {
        const string repo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";
        Hub.Add(repo, "config.json", Utf8("""{"architecture": "vit_tiny_patch16_224"}"""), lfs: false);
        Hub.Add(repo, "model.safetensors", FakeHub.Bytes(5_000));
        var name = HubModelName.Parse("vit_tiny_patch16_224.augreg_in21k_ft_in1k");
        using (var online = Client(Hub, Folder)) await online.DownloadModelAsync(name);
        var requests = Hub.Requests.Count;
        using var offline = Client(Hub, Folder, offline: true);

        var files = await offline.DownloadModelAsync(name);

        Assert.Equal(requests, Hub.Requests.Count);
        Assert.Equal("vit_tiny_patch16_224", files.Architecture);
        Assert.False(files.Weights.Downloaded);
    }

    [Fact]
    public async Task An_hf_hub_repo_takes_its_architecture_from_a_transformers_config()
    {
        Hub.Add("facebook/dinov2-small", "config.json", Utf8("""{"model_type": "dinov2", "architectures": ["Dinov2Model"], "image_size": 518, "patch_size": 14}"""), lfs: false);
        Hub.Add("facebook/dinov2-small", "model.safetensors", FakeHub.Bytes(1_000));
        using var client = Client(Hub, Folder);

        var files = await client.DownloadModelAsync(HubModelName.Parse("hf-hub:facebook/dinov2-small"));

        Assert.Equal("Dinov2Model", files.Architecture);
        Assert.Equal((3, 518, 518), files.Config!.InputSize);
    }

    [Fact]
    public async Task A_repo_with_only_pickled_weights_is_refused_in_one_line()
    {
        Hub.Add("someone/old-vit", "config.json", Utf8("""{"model_type": "vit"}"""), lfs: false);
        Hub.Add("someone/old-vit", "pytorch_model.bin", FakeHub.Bytes(1_000));
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:someone/old-vit")));

        Assert.Equal(HubErrorKind.PickleOnly, error.Kind);
        Assert.Equal("someone/old-vit@main has only pickled PyTorch weights (pytorch_model.bin), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has model.safetensors", error.Message);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == "GET" && r.Target.Contains("pytorch_model.bin"));
    }

    [Fact]
    public async Task An_hf_hub_repo_without_config_is_one_line()
    {
        Hub.Add("someone/weights-only", "model.safetensors", FakeHub.Bytes(100));
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadModelAsync(HubModelName.Parse("hf-hub:someone/weights-only")));

        Assert.Equal("someone/weights-only@main has no config.json, so hf-hub:someone/weights-only does not say its architecture: use a timm name (arch.tag) or a repo with a timm or transformers config.json", error.Message);
    }
}
