using System.Diagnostics;
using ShapedVit.Testing;

namespace ShapedVit.Hub.Tests;

public sealed class ConcurrencyTests
{
    private const string Repo = "timm/vit_base_patch16_224.augreg2_in21k_ft_in1k";

    [Fact]
    public async Task Two_processes_downloading_one_model_at_once_fetch_the_blob_once_and_both_get_it()
    {
        using var hub = new FakeHub();
        using var folder = new TempDirectory();
        var weights = FakeHub.Bytes(400_000);
        var file = hub.Add(Repo, "model.safetensors", weights);
        hub.HoldBodiesUntilHeads = 2;   // both processes have asked before the first body is sent: the second meets the lock
        var cache = Path.Combine(folder.Path, "hub");

        var outputs = await Task.WhenAll(Finish(Start(hub.Endpoint, cache)), Finish(Start(hub.Endpoint, cache)));

        Assert.Single(hub.On("cdn"));
        Assert.Equal(2, hub.On("hub").Count());
        Assert.Equal(["cached", "downloaded"], outputs.Select(o => o.Split(' ')[0]).Order());
        var paths = outputs.Select(o => o[(o.IndexOf(' ') + 1)..]).Distinct().ToList();
        Assert.Equal(weights, File.ReadAllBytes(Assert.Single(paths)));
        TestSupport.AssertPythonLayout(cache, Repo, "main", hub.Repos[Repo].Commit, "model.safetensors", file.Sha256, weights);
    }

    [Fact]
    public async Task The_download_count_oracle_catches_a_planted_fault_two_caches_download_twice()
    {
        // Planted: the two processes do not share a cache (so no lock): the same oracle must see two downloads.
        using var hub = new FakeHub();
        using var folder = new TempDirectory();
        hub.Add(Repo, "model.safetensors", FakeHub.Bytes(100_000));
        hub.HoldBodiesUntilHeads = 2;

        var outputs = await Task.WhenAll(Finish(Start(hub.Endpoint, Path.Combine(folder.Path, "a"))), Finish(Start(hub.Endpoint, Path.Combine(folder.Path, "b"))));

        Assert.Equal(2, hub.On("cdn").Count());
        Assert.All(outputs, o => Assert.StartsWith("downloaded ", o));
    }

    private static Process Start(Uri endpoint, string cache)
    {
        var downloader = Path.Combine(AppContext.BaseDirectory, "ShapedVit.Hub.TestDownloader.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { downloader, endpoint.AbsoluteUri, cache, Repo, "model.safetensors" }) start.ArgumentList.Add(argument);
        foreach (var name in new[] { "HF_TOKEN", "HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE" }) start.Environment.Remove(name);
        return Process.Start(start)!;
    }

    private static async Task<string> Finish(Process process)
    {
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(); throw; }
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
            return (await output).Trim();
        }
    }
}
