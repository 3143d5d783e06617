using ShapedVit.Testing;
using static ShapedVit.Hub.Tests.TestSupport;

namespace ShapedVit.Hub.Tests;

public sealed class DownloadTests : LoopbackHubTest
{
    private const string Repo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k";

    [Fact]
    public async Task An_lfs_file_comes_from_the_cdn_redirect_and_is_cached_in_huggingface_hubs_layout()
    {
        var weights = FakeHub.Bytes(300_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.True(result.Downloaded);
        Assert.Equal(FakeHub.Commit(Repo), result.Commit);
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
        var head = Assert.Single(Hub.On("hub"));
        Assert.Equal("HEAD", head.Method);
        Assert.Equal("/timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k/resolve/main/model.safetensors", head.Target);
        Assert.Equal("identity", head.Headers["accept-encoding"]);
        var get = Assert.Single(Hub.On("cdn"));
        Assert.Equal("GET", get.Method);
        Assert.StartsWith($"/repos/{file.Sha256[..2]}/{file.Sha256}?X-Amz-Signature=", get.Target);
        Assert.True(File.Exists(Path.Combine(client.CacheDirectory, ".locks", "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", file.Sha256 + ".lock")));
    }

    [Fact]
    public async Task A_git_file_is_downloaded_from_the_resolve_url_under_its_git_etag()
    {
        var config = Utf8("{\"architecture\": \"vit_tiny_patch16_224\"}");
        var file = Hub.Add(Repo, "config.json", config, lfs: false);
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "config.json");

        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "config.json", file.GitSha1, config);
        Assert.Equal(["HEAD", "GET"], Hub.On("hub").Select(r => r.Method));
        Assert.Empty(Hub.On("cdn"));
    }

    [Fact]
    public void The_cache_layout_oracle_catches_a_planted_fault()
    {
        // Planted: the snapshot is an absolute symlink (Python's layout is relative, so a moved cache would break).
        var content = Utf8("weights");
        var commit = FakeHub.Commit("x");
        WritePythonCache(Folder.Path, "org/name", "main", commit, "model.safetensors", "abc", content);
        var pointer = Path.Combine(Folder.Path, "models--org--name", "snapshots", commit, "model.safetensors");
        File.Delete(pointer);
        File.CreateSymbolicLink(pointer, Path.Combine(Folder.Path, "models--org--name", "blobs", "abc"));

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertPythonLayout(Folder.Path, "org/name", "main", commit, "model.safetensors", "abc", content));
    }

    [Fact]
    public async Task A_nested_file_and_a_revision_with_slashes_are_encoded_as_huggingface_hub_encodes_them()
    {
        var content = Utf8("nested");
        var file = Hub.Add(Repo, "sub dir/weights.safetensors", content);
        var pr = FakeHub.Commit("pr");
        Hub.Repos[Repo].Branches["refs/pr/1"] = pr;
        using var client = Client(Hub, Folder);

        Assert.Equal($"{Hub.Endpoint}{Repo}/resolve/refs%2Fpr%2F1/sub%20dir/weights.safetensors", client.ResolveUrl(Repo, "sub dir/weights.safetensors", "refs/pr/1").AbsoluteUri);
        var result = await client.DownloadAsync(Repo, "sub dir/weights.safetensors", "refs/pr/1");

        Assert.Equal(pr, result.Commit);
        Assert.Equal($"/{Repo}/resolve/refs%2Fpr%2F1/sub%20dir/weights.safetensors", Hub.On("hub").Single().Target);
        AssertPythonLayout(client.CacheDirectory, Repo, "refs/pr/1", pr, "sub dir/weights.safetensors", file.Sha256, content);
    }

    [Fact]
    public async Task The_token_goes_to_the_hub_as_bearer_and_never_to_the_cdn()
    {
        var weights = FakeHub.Bytes(10_000);
        Hub.Repos["acme/private"] = new FakeRepo(FakeHub.Commit("p")) { Private = true };
        Hub.Add("acme/private", "model.safetensors", weights);
        using var client = Client(Hub, Folder, token: FakeHub.Token);

        await client.DownloadAsync("acme/private", "model.safetensors");

        Assert.Equal("Bearer " + FakeHub.Token, Hub.On("hub").Single().Headers["authorization"]);
        Assert.False(Hub.On("cdn").Single().Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task The_token_is_not_printed_by_options_nor_by_errors()
    {
        Hub.Repos["acme/private"] = new FakeRepo(FakeHub.Commit("p")) { Private = true };
        Hub.Add("acme/private", "model.safetensors", FakeHub.Bytes(100));
        const string wrongToken = "hf_WRONGtokenSECRET42";
        var options = Options(Hub.Endpoint, Folder, token: wrongToken);
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync("acme/private", "model.safetensors"));

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Equal("acme/private: the Hub refused the token (401); check the name, and that HF_TOKEN (or $HF_HOME/token) is valid and has access to the repo", error.Message);
        AssertNoToken(wrongToken, error.ToString(), options.ToString(), client.Options.ToString());
        Assert.Contains("Token = set (hidden)", options.ToString());
        Assert.Equal("Bearer " + wrongToken, Hub.On("hub").Single().Headers["authorization"]);   // the token was really in play
    }

    [Fact]
    public void The_token_oracle_catches_a_planted_fault()
    {
        // Planted: a message that echoes the Authorization header.
        var leaked = new HubException(HubErrorKind.Unauthorized, "acme/private: refused Authorization: Bearer hf_WRONGtokenSECRET42");

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertNoToken("hf_WRONGtokenSECRET42", leaked.ToString()));
    }

    [Fact]
    public async Task A_renamed_repo_is_followed_through_its_relative_redirect()
    {
        var weights = FakeHub.Bytes(5_000);
        var file = Hub.Add("new-org/model", "model.safetensors", weights);
        Hub.Renamed["old-org/model"] = "new-org/model";
        using var client = Client(Hub, Folder, token: FakeHub.Token);

        var result = await client.DownloadAsync("old-org/model", "model.safetensors");

        Assert.Equal(["/old-org/model/resolve/main/model.safetensors", "/new-org/model/resolve/main/model.safetensors"], Hub.On("hub").Select(r => r.Target));
        Assert.All(Hub.On("hub"), r => Assert.Equal("Bearer " + FakeHub.Token, r.Headers["authorization"]));
        AssertPythonLayout(client.CacheDirectory, "old-org/model", "main", result.Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task A_body_dropped_midway_is_resumed_with_range()
    {
        var weights = FakeHub.Bytes(200_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        file.DropAfter = 70_000;
        file.Drops = 1;
        var reports = new List<HubDownloadProgress>();
        using var client = Client(Hub, Folder);

        var result = await client.DownloadAsync(Repo, "model.safetensors", progress: new SynchronousProgress(reports.Add));

        var gets = Hub.On("cdn").ToList();
        Assert.Equal(2, gets.Count);
        Assert.False(gets[0].Headers.ContainsKey("range"));
        Assert.Equal("bytes=70000-", gets[1].Headers["range"]);
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
        Assert.All(reports, r => Assert.Equal(200_000, r.TotalBytes));
        Assert.Equal(200_000, reports[^1].BytesDone);
        Assert.Equal(reports.Select(r => r.BytesDone).Order(), reports.Select(r => r.BytesDone));
    }

    [Fact]
    public async Task A_connection_reset_midway_is_resumed_too()
    {
        var weights = FakeHub.Bytes(150_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        file.DropAfter = 60_000;
        file.Drops = 2;
        file.ResetOnDrop = true;
        using var client = Client(Hub, Folder, maxRetries: 3);

        var result = await client.DownloadAsync(Repo, "model.safetensors");

        Assert.Equal(3, Hub.On("cdn").Count());
        Assert.All(Hub.On("cdn").Skip(1), r => Assert.StartsWith("bytes=", r.Headers["range"]));
        AssertPythonLayout(client.CacheDirectory, Repo, "main", result.Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_partial_file_stays_out_of_blobs_and_snapshots()
    {
        var file = Hub.Add(Repo, "model.safetensors", FakeHub.Bytes(50_000));
        file.DropAfter = 1_000;
        file.Drops = 100;
        using var client = Client(Hub, Folder, maxRetries: 2);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal(HubErrorKind.Network, error.Kind);
        var blobs = Path.Combine(client.CacheDirectory, "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", "blobs");
        Assert.Equal($"{Repo} model.safetensors: the download failed 3 times at 3000 of 50000 bytes (the connection closed before the end of the body); run again to resume from {Path.Combine(blobs, file.Sha256)}.incomplete", error.Message);
        Assert.Equal(3, Hub.On("cdn").Count());
        Assert.Equal([file.Sha256 + ".incomplete"], Directory.GetFiles(blobs).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(blobs, "..", "snapshots")));
    }

    [Fact]
    public async Task Altered_bytes_are_refused_by_their_sha256_and_nothing_is_kept()
    {
        var weights = FakeHub.Bytes(40_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        var altered = (byte[])weights.Clone();
        altered[12_345] ^= 0x01;
        file.Served = altered;
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal(HubErrorKind.IntegrityMismatch, error.Kind);
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(altered));
        Assert.Equal($"{Repo} model.safetensors: the downloaded bytes have sha256 {actual}, not the {file.Sha256} the Hub announced; nothing was kept; run again, and report it if it repeats", error.Message);
        var repoFolder = Path.Combine(client.CacheDirectory, "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k");
        Assert.Empty(Directory.GetFiles(Path.Combine(repoFolder, "blobs")));
        Assert.False(Directory.Exists(Path.Combine(repoFolder, "snapshots")) && Directory.EnumerateFiles(Path.Combine(repoFolder, "snapshots"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_body_longer_than_announced_is_refused_and_nothing_is_kept()
    {
        var weights = FakeHub.Bytes(20_000);
        var file = Hub.Add(Repo, "model.safetensors", weights);
        file.Served = [.. weights, .. FakeHub.Bytes(100_000, seed: 2)];
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal(HubErrorKind.IntegrityMismatch, error.Kind);
        Assert.Equal($"{Repo} model.safetensors: the server sent more than the 20000 bytes the Hub announced; nothing was kept", error.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(client.CacheDirectory, "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k", "blobs")));
    }

    [Fact]
    public async Task A_server_that_is_not_the_hub_is_refused_in_one_line()
    {
        Hub.Add(Repo, "model.safetensors", FakeHub.Bytes(100));
        Hub.OmitCommitHeader = true;
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(Repo, "model.safetensors"));

        Assert.Equal($"{Repo}@main model.safetensors: the answer from 127.0.0.1 has no X-Repo-Commit header, so it is not the Hub; check HF_ENDPOINT, proxy and firewall settings", error.Message);
    }

    [Theory]
    [InlineData("missing/repo", "main", "model.safetensors", HubErrorKind.RepositoryNotFound, "missing/repo: repository not found (404); check the name, and if it is private set HF_TOKEN to a token with access to it")]
    [InlineData(Repo, "v9", "model.safetensors", HubErrorKind.RevisionNotFound, Repo + ": revision 'v9' not found (404); check the branch, tag or commit at {endpoint}/" + Repo)]
    [InlineData(Repo, "main", "nothing.bin", HubErrorKind.EntryNotFound, Repo + "@main: no file nothing.bin (404); see the repo's files at {endpoint}/" + Repo)]
    [InlineData("acme/gated", "main", "model.safetensors", HubErrorKind.GatedRepository, "acme/gated is gated (403): accept its terms at {endpoint}/acme/gated with your account, then set HF_TOKEN to a token of that account")]
    [InlineData("acme/private", "main", "model.safetensors", HubErrorKind.Unauthorized, "acme/private: the Hub refused access without a token (401); the repo may be private or may not exist: check the name, or set HF_TOKEN (or run huggingface-cli login)")]
    public async Task Hub_errors_become_one_line_that_names_the_repo_and_says_what_to_do(string repo, string revision, string fileName, HubErrorKind kind, string message)
    {
        Hub.Add(Repo, "model.safetensors", FakeHub.Bytes(100));
        Hub.Repos["acme/gated"] = new FakeRepo(FakeHub.Commit("g")) { Gated = true };
        Hub.Repos["acme/private"] = new FakeRepo(FakeHub.Commit("p")) { Private = true };
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(repo, fileName, revision));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(message.Replace("{endpoint}", Hub.Endpoint.AbsoluteUri.TrimEnd('/')), error.Message);
    }

    [Theory]
    [InlineData("../etc", "model.safetensors", "main", "'../etc' is not a Hub repo id: use org/name (letters, digits, '-', '_', '.'; no '--' or '..')")]
    [InlineData("org/name", "../../secret", "main", "org/name: '../../secret' is not a file path inside a repo")]
    [InlineData("org/name", "model.safetensors", "../main", "org/name: '../main' is not a revision: use a branch, tag or commit hash")]
    public async Task Names_that_would_leave_the_cache_are_refused_before_any_request(string repo, string fileName, string revision, string message)
    {
        using var client = Client(Hub, Folder);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(repo, fileName, revision));

        Assert.Equal(HubErrorKind.InvalidName, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.Empty(Hub.Requests);
    }

    /// <summary>IProgress that reports on the caller's thread, so the list is complete when the download returns.</summary>
    private sealed class SynchronousProgress(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => report(value);
    }
}
