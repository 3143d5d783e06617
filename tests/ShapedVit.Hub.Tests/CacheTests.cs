using System.Net;
using System.Net.Sockets;
using ShapedVit.Testing;
using static ShapedVit.Hub.Tests.TestSupport;

namespace ShapedVit.Hub.Tests;

public sealed class CacheTests : LoopbackHubTest
{
    private const string Repo = "timm/vit_small_patch16_224.augreg_in21k_ft_in1k";

    [Fact]
    public async Task A_file_python_cached_is_used_offline_and_by_commit_without_any_request()
    {
        var weights = FakeHub.Bytes(1_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        var commit = Hub.Repos[Repo].Commit;
        var cacheRoot = Path.Combine(Folder.Path, "hub");
        WritePythonCache(cacheRoot, Repo, "main", commit, "model.safetensors", file.Sha256, weights);

        using var offline = Client(Hub, Folder, offline: true);
        var fromRef = await offline.DownloadAsync(Repo, "model.safetensors");
        using var online = Client(Hub, Folder);
        var byCommit = await online.DownloadAsync(Repo, "model.safetensors", commit);

        Assert.Empty(Hub.Requests);
        Assert.Equal(Path.Combine(cacheRoot, "models--timm--vit_small_patch16_224.augreg_in21k_ft_in1k", "snapshots", commit, "model.safetensors"), fromRef.Path);
        Assert.Equal(fromRef.Path, byCommit.Path);
        Assert.False(fromRef.Downloaded);
        Assert.Equal(weights, File.ReadAllBytes(fromRef.Path));
    }

    [Fact]
    public async Task A_file_python_cached_is_checked_for_a_new_commit_with_head_only_and_not_downloaded_again()
    {
        var weights = FakeHub.Bytes(1_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        var commit = Hub.Repos[Repo].Commit;
        WritePythonCache(Path.Combine(Folder.Path, "hub"), Repo, "main", commit, "model.safetensors", file.Sha256, weights);
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.False(result.Downloaded);
        Assert.Equal("HEAD", Hub.Requests.Single().Method);
    }

    [Fact]
    public async Task A_blob_cached_for_another_commit_is_linked_without_downloading_it()
    {
        var weights = FakeHub.Bytes(1_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        WritePythonCache(Path.Combine(Folder.Path, "hub"), Repo, "v1", FakeHub.Commit("older"), "model.safetensors", file.Sha256, weights);
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.False(result.Downloaded);
        Assert.Empty(Hub.On("cdn"));
        AssertPythonLayout(client.CacheDirectory, Repo, "main", Hub.Repos[Repo].Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task Offline_a_file_not_cached_is_one_line_and_sends_nothing()
    {
        using var client = Client(Hub, Folder, offline: true);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal(HubErrorKind.NotCached, error.Kind);
        Assert.Equal($"{Repo}@main model.safetensors is not in the cache {client.CacheDirectory} and the Hub is offline (HF_HUB_OFFLINE / --offline): run once online to download it", error.Message);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public async Task When_the_network_fails_after_a_download_the_cached_file_is_used()
    {
        var weights = FakeHub.Bytes(2_000);
        Hub.Add(Repo, "model.safetensors", weights);
        using (var client = Client(Hub, Folder)) await client.DownloadAsync(Repo, "model.safetensors");
        var closedPort = ClosedLoopbackEndpoint();

        using var unreachable = new HubClient(Options(closedPort, Folder, maxRetries: 0));
        var result = await unreachable.DownloadAsync(Repo, "model.safetensors");
        var missing = await Assert.ThrowsAsync<HubException>(() => unreachable.DownloadAsync(Repo, "other.safetensors"));

        Assert.False(result.Downloaded);
        Assert.Equal(weights, File.ReadAllBytes(result.Path));
        Assert.Equal(HubErrorKind.Network, missing.Kind);
        Assert.StartsWith($"{Repo} other.safetensors: no answer from 127.0.0.1 (Connection refused", missing.Message);
        Assert.EndsWith("); check the network, or set HF_HUB_OFFLINE=1 to use the cache only", missing.Message);
    }

    [Fact]
    public async Task What_shapedvit_caches_python_finds_by_local_files_only()
    {
        // The lookup hf_hub_download(..., local_files_only=True) does: refs/<revision> -> commit -> snapshots/<commit>/<file>.
        var weights = FakeHub.Bytes(3_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        Hub.Repos[Repo].Branches["v2.0"] = Hub.Repos[Repo].Commit;
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors", "v2.0");

        var repoFolder = Path.Combine(client.CacheDirectory, "models--timm--vit_small_patch16_224.augreg_in21k_ft_in1k");
        var commit = File.ReadAllText(Path.Combine(repoFolder, "refs", "v2.0"));
        Assert.Equal(result.Path, Path.Combine(repoFolder, "snapshots", commit, "model.safetensors"));
        AssertPythonLayout(client.CacheDirectory, Repo, "v2.0", commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task A_leftover_incomplete_file_is_resumed_and_checked_whole()
    {
        var weights = FakeHub.Bytes(100_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        var blobs = Path.Combine(Folder.Path, "hub", "models--timm--vit_small_patch16_224.augreg_in21k_ft_in1k", "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, file.Sha256 + ".incomplete"), weights[..30_000]);
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.Equal("bytes=30000-", Hub.On("cdn").Single().Headers["range"]);
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
    }

    private static Uri ClosedLoopbackEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
