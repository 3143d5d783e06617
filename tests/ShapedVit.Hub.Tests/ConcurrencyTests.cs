using System.Diagnostics;
using ShapedVit.Testing;

namespace ShapedVit.Hub.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Two_processes_downloading_one_model_at_once_fetch_the_blob_once_and_both_get_it()
    {
        using var hub = new FakeHub();
        using var folder = new TempDirectory();
        const string repo = "timm/vit_base_patch16_224.augreg2_in21k_ft_in1k";
        var weights = FakeHub.Bytes(400_000);
        var file = hub.Add(repo, "model.safetensors", weights);
        file.ChunkDelay = TimeSpan.FromMilliseconds(10);   // about one second of body: the second process arrives while the first holds the lock
        var cache = Path.Combine(folder.Path, "hub");

        var first = Start(hub.Endpoint, cache, repo);
        var second = Start(hub.Endpoint, cache, repo);
        var outputs = await Task.WhenAll(Finish(first), Finish(second));

        Assert.Single(hub.On("cdn"));
        Assert.Equal(2, hub.On("hub").Count());
        Assert.Equal(["cached", "downloaded"], outputs.Select(o => o.Split(' ')[0]).Order());
        var paths = outputs.Select(o => o[(o.IndexOf(' ') + 1)..]).Distinct().ToList();
        Assert.Equal(weights, File.ReadAllBytes(Assert.Single(paths)));
        TestSupport.AssertPythonLayout(cache, repo, "main", hub.Repos[repo].Commit, "model.safetensors", file.Sha256, weights);
    }

    private static Process Start(Uri endpoint, string cache, string repo)
    {
        var downloader = Path.Combine(AppContext.BaseDirectory, "ShapedVit.Hub.TestDownloader.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { downloader, endpoint.AbsoluteUri, cache, repo, "model.safetensors" }) start.ArgumentList.Add(argument);
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
