using System.Text;
using ShapedVit.Testing;

namespace ShapedVit.Hub.Tests;

internal static class TestSupport
{
    /// <summary>A client of <paramref name="hub"/> with a cache in <paramref name="folder"/>, short timeouts and delays.</summary>
    public static HubClient Client(FakeHub hub, TempDirectory folder, string? token = null, bool offline = false, int maxRetries = 2) => new(Options(hub.Endpoint, folder, token, offline, maxRetries));

    public static HubOptions Options(Uri endpoint, TempDirectory folder, string? token = null, bool offline = false, int maxRetries = 2) => new()
    {
        Endpoint = endpoint,
        CacheDirectory = Path.Combine(folder.Path, "hub"),
        Token = token,
        Offline = offline,
        RequestTimeout = TimeSpan.FromSeconds(10),
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        LockTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The oracle for "what Python's huggingface_hub finds": its documented layout, checked piece by piece.
    /// refs/&lt;revision&gt; holds the commit (no newline); snapshots/&lt;commit&gt;/&lt;file&gt; is a relative symlink to
    /// ../../blobs/&lt;etag&gt; (one more ../ per folder of the file); the blob has the bytes; nothing .incomplete is left.</summary>
    public static void AssertPythonLayout(string cacheRoot, string repoId, string revision, string commit, string fileName, string etag, byte[] content)
    {
        var repoFolder = Path.Combine(cacheRoot, "models--" + repoId.Replace("/", "--"));
        if (revision != commit) Assert.Equal(commit, File.ReadAllText(Path.Combine([repoFolder, "refs", .. revision.Split('/')])));
        var pointer = Path.Combine([repoFolder, "snapshots", commit, .. fileName.Split('/')]);
        var link = new FileInfo(pointer).LinkTarget;
        Assert.NotNull(link);
        var depth = fileName.Count(c => c == '/');
        Assert.Equal(string.Concat(Enumerable.Repeat("../", depth + 2)) + "blobs/" + etag, link);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(repoFolder, "blobs", etag)));
        Assert.Equal(content, File.ReadAllBytes(pointer));
        Assert.Empty(Directory.GetFiles(Path.Combine(repoFolder, "blobs"), "*.incomplete"));
    }

    /// <summary>Lays out a cache the way huggingface_hub documents it (its cache guide), as Python would have left it.</summary>
    public static void WritePythonCache(string cacheRoot, string repoId, string revision, string commit, string fileName, string etag, byte[] content)
    {
        var repoFolder = Path.Combine(cacheRoot, "models--" + repoId.Replace("/", "--"));
        Directory.CreateDirectory(Path.Combine(repoFolder, "blobs"));
        File.WriteAllBytes(Path.Combine(repoFolder, "blobs", etag), content);
        var refPath = Path.Combine([repoFolder, "refs", .. revision.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        File.WriteAllText(refPath, commit);
        var pointer = Path.Combine([repoFolder, "snapshots", commit, .. fileName.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(pointer)!);
        File.CreateSymbolicLink(pointer, string.Concat(Enumerable.Repeat("../", fileName.Count(c => c == '/') + 2)) + "blobs/" + etag);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The oracle for "the token is never printed": no text shown to a user or a log holds it.</summary>
    public static void AssertNoToken(string token, params string[] texts)
    {
        foreach (var text in texts) Assert.DoesNotContain(token, text, StringComparison.Ordinal);
    }
}
