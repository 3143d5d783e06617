using ShapedVit.Testing;
using static ShapedVit.Hub.Tests.TestSupport;

namespace ShapedVit.Hub.Tests;

public sealed class TimeoutTests : LoopbackHubTest
{
    private const string Repo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";

    private HubClient ShortTimeouts(int maxRetries) => new(new HubOptions
    {
        Endpoint = Hub.Endpoint,
        CacheDirectory = Path.Combine(Folder.Path, "hub"),
        MaxRetries = maxRetries,
        RequestTimeout = TimeSpan.FromSeconds(1),   // short, yet long enough for a loaded machine to record each request
        RetryDelay = TimeSpan.FromMilliseconds(10),
    });

    [Fact]
    public async Task A_hub_that_never_answers_times_out_after_bounded_retries()
    {
        Hub.Add(Repo, "model.safetensors", FakeHub.Bytes(100));
        Hub.Silent = true;
        using var client = ShortTimeouts(maxRetries: 1);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal(HubErrorKind.Network, error.Kind);
        Assert.Equal($"{Repo} model.safetensors: no answer from 127.0.0.1 (timed out); check the network, or set HF_HUB_OFFLINE=1 to use the cache only", error.Message);
        Assert.Equal(3, Hub.Requests.Count);   // one quick try (the cache might have had it), then 1 + MaxRetries
    }

    [Fact]
    public async Task A_body_that_goes_silent_is_abandoned_after_the_read_timeout_and_resumed()
    {
        var weights = FakeHub.Bytes(120_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        file.StallAfter = 50_000;
        file.Stalls = 1;
        using var client = ShortTimeouts(maxRetries: 2);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.Equal("bytes=50000-", Hub.On("cdn").Last().Headers["range"]);
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task A_server_that_ignores_range_makes_the_download_start_over_and_still_verify()
    {
        var weights = FakeHub.Bytes(90_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        file.DropAfter = 30_000;
        file.Drops = 1;
        Hub.IgnoreRange = true;
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.Equal(2, Hub.On("cdn").Count());
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task Two_downloads_in_one_process_share_the_lock_and_fetch_the_blob_once()
    {
        var weights = FakeHub.Bytes(200_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        Hub.HoldBodiesUntilHeads = 2;
        using var first = Client(Hub, Folder);
        using var second = Client(Hub, Folder);

        var results = await Task.WhenAll(first.DownloadAsync(Repo, "model.safetensors"), second.DownloadAsync(Repo, "model.safetensors"));

        Assert.Single(Hub.On("cdn"));
        Assert.Equal([false, true], results.Select(r => r.Downloaded).Order());
        AssertPythonLayout(first.CacheDirectory, Repo, "main", results[0].Commit, "model.safetensors", file.Sha256, weights);
    }
}
