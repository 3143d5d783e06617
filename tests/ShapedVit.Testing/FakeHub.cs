using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ShapedVit.Testing;

/// <summary>A file of a fake repo. <see cref="Served"/> replaces the bytes the CDN sends (an altered blob);
/// <see cref="DropAfter"/> closes the connection after that many body bytes, <see cref="Drops"/> times.</summary>
public sealed class FakeFile(byte[] content, bool lfs)
{
    public byte[] Content { get; } = content;
    public bool Lfs { get; } = lfs;
    public byte[]? Served { get; set; }
    public int DropAfter { get; set; } = -1;
    public int Drops { get; set; }
    /// <summary>Drop with a TCP reset instead of a close.</summary>
    public bool ResetOnDrop { get; set; }
    public TimeSpan ChunkDelay { get; set; }
    /// <summary>After this many body bytes the connection goes silent (until the client gives up), <see cref="Stalls"/> times.</summary>
    public int StallAfter { get; set; } = -1;
    public int Stalls { get; set; }
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
    // A git blob's id: what the Hub sends as the ETag of a file kept in git rather than LFS.
    public string GitSha1 => Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {Content.Length}\0"), .. Content]));
    public string Etag => Lfs ? Sha256 : GitSha1;
}

public sealed class FakeRepo(string commit)
{
    public string Commit { get; } = commit;
    public Dictionary<string, string> Branches { get; } = new() { ["main"] = commit };
    public Dictionary<string, FakeFile> Files { get; } = [];
    public bool Private { get; init; }
    public bool Gated { get; init; }
}

/// <summary>One request the fake Hub or its CDN received.</summary>
public sealed record RecordedRequest(string Server, string Method, string Target, IReadOnlyDictionary<string, string> Headers);

/// <summary>A stand-in for the Hugging Face Hub on 127.0.0.1 (shared by the Hub tests and the samples' tests, which point
/// HF_ENDPOINT at it) (random ports), written on TcpListener so it can drop a
/// connection mid-body. The Hub port answers <c>/{repo}/resolve/{revision}/{file}</c> as the Hub does (LFS files: a 302 to
/// the CDN port with X-Repo-Commit, X-Linked-Etag, X-Linked-Size; git files: 200 with ETag; X-Error-Code on 404/403; 401
/// for a private repo without the token; a relative redirect for a renamed repo); the CDN port serves blobs with Range.
/// One request per connection; it stops when disposed.</summary>
public sealed class FakeHub : IDisposable
{
    public const string Token = "hf_testTOKENvalue0123456789";

    private readonly TcpListener hub = new(IPAddress.Loopback, 0);
    private readonly TcpListener cdn = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();

    public FakeHub()
    {
        hub.Start();
        cdn.Start();
        _ = AcceptLoop(hub, "hub");
        _ = AcceptLoop(cdn, "cdn");
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)hub.LocalEndpoint).Port}");
    public Uri Cdn => new($"http://127.0.0.1:{((IPEndPoint)cdn.LocalEndpoint).Port}");
    public ConcurrentDictionary<string, FakeRepo> Repos { get; } = new();
    public ConcurrentDictionary<string, string> Renamed { get; } = new();
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    /// <summary>The CDN holds every body until the Hub has answered this many HEAD requests (at most 30 s), so that
    /// concurrent clients are all in flight before any download ends.</summary>
    public int HoldBodiesUntilHeads { get; set; }
    /// <summary>When set, the Hub answers HEAD without X-Repo-Commit (a proxy or captive portal, not the Hub).</summary>
    public bool OmitCommitHeader { get; set; }
    /// <summary>When set, the Hub reads requests and never answers them.</summary>
    public bool Silent { get; set; }
    /// <summary>When set, Range is ignored: every body is sent whole with 200, as some servers do.</summary>
    public bool IgnoreRange { get; set; }

    public IEnumerable<RecordedRequest> On(string server) => Requests.Where(r => r.Server == server);

    public FakeFile Add(string repoId, string fileName, byte[] content, bool lfs = true, string? commit = null)
    {
        var repo = Repos.GetOrAdd(repoId, _ => new FakeRepo(commit ?? Commit(repoId)));
        var file = new FakeFile(content, lfs);
        repo.Files[fileName] = file;
        return file;
    }

    public static string Commit(string seed) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(seed)));

    public static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task AcceptLoop(TcpListener listener, string server)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await Serve(client, server); }
                    catch (Exception) { /* a client that went away */ }
                }
            });
        }
    }

    private async Task Serve(TcpClient client, string server)
    {
        var stream = client.GetStream();
        var request = await ReadRequest(stream);
        if (request is null) return;
        Requests.Enqueue(request with { Server = server });
        if (Silent) { await Task.Delay(Timeout.Infinite, stop.Token); return; }
        if (server == "hub") await ServeHub(stream, client, request);
        else await ServeCdn(stream, client, request);
    }

    private async Task ServeHub(NetworkStream stream, TcpClient client, RecordedRequest request)
    {
        var path = request.Target.Split('?')[0];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resolve = Array.IndexOf(segments, "resolve");
        if (resolve < 1 || resolve + 2 >= segments.Length) { await Respond(stream, request, 404, []); return; }
        var repoId = string.Join('/', segments[..resolve]);
        var revision = Uri.UnescapeDataString(segments[resolve + 1]);
        var fileName = string.Join('/', segments[(resolve + 2)..].Select(Uri.UnescapeDataString));
        if (Renamed.TryGetValue(repoId, out var newName))
        {
            var relative = "/" + newName + "/" + string.Join('/', segments[resolve..]);
            await Respond(stream, request, 307, [("Location", relative)]);
            return;
        }
        if (!Repos.TryGetValue(repoId, out var repo))
        {
            await Respond(stream, request, 404, [("X-Error-Code", "RepoNotFound"), ("X-Error-Message", "Repository not found")]);
            return;
        }
        if (repo.Private && request.Headers.GetValueOrDefault("authorization") != "Bearer " + Token)
        {
            await Respond(stream, request, 401, [("X-Error-Message", "Invalid username or password.")]);
            return;
        }
        if (repo.Gated) { await Respond(stream, request, 403, [("X-Error-Code", "GatedRepo")]); return; }
        var commit = repo.Branches.GetValueOrDefault(revision) ?? (revision == repo.Commit ? revision : null);
        if (commit is null) { await Respond(stream, request, 404, [("X-Error-Code", "RevisionNotFound")]); return; }
        if (!repo.Files.TryGetValue(fileName, out var file))
        {
            await Respond(stream, request, 404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)]);
            return;
        }
        var headers = new List<(string, string)>();
        if (!OmitCommitHeader) headers.Add(("X-Repo-Commit", commit));
        if (file.Lfs)
        {
            headers.Add(("X-Linked-Etag", $"\"{file.Sha256}\""));
            headers.Add(("X-Linked-Size", file.Content.Length.ToString()));
            headers.Add(("ETag", $"W/\"{file.GitSha1}\""));
            headers.Add(("Location", $"{Cdn}repos/{file.Sha256[..2]}/{file.Sha256}?X-Amz-Signature=fake&response-content-disposition=attachment"));
            await Respond(stream, request, 302, headers);
            return;
        }
        headers.Add(("ETag", $"\"{file.GitSha1}\""));
        await SendBody(stream, client, request, file, file.Content, headers);
    }

    private async Task ServeCdn(NetworkStream stream, TcpClient client, RecordedRequest request)
    {
        var sha = request.Target.Split('?')[0].Split('/')[^1];
        var file = Repos.Values.SelectMany(r => r.Files.Values).FirstOrDefault(f => f.Lfs && f.Sha256 == sha);
        if (file is null) { await Respond(stream, request, 404, []); return; }
        for (var waited = 0; waited < 30_000 && On("hub").Count(r => r.Method == "HEAD") < HoldBodiesUntilHeads; waited += 20) await Task.Delay(20);
        await SendBody(stream, client, request, file, file.Served ?? file.Content, []);
    }

    private async Task SendBody(NetworkStream stream, TcpClient client, RecordedRequest request, FakeFile file, byte[] body, List<(string, string)> headers)
    {
        var start = 0;
        var status = 200;
        if (!IgnoreRange && request.Headers.TryGetValue("range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = int.Parse(range[6..^1]);
            status = 206;
            headers.Add(("Content-Range", $"bytes {start}-{body.Length - 1}/{body.Length}"));
        }
        headers.Add(("Content-Length", (body.Length - start).ToString()));
        if (request.Method == "HEAD") { await Respond(stream, request, status, headers); return; }
        await Respond(stream, request, status, headers, flushOnly: true);
        var drop = request.Method == "GET" && file.Drops > 0 && file.DropAfter >= 0;
        if (drop) file.Drops--;
        var stall = request.Method == "GET" && !drop && file.Stalls > 0 && file.StallAfter >= 0;
        if (stall) file.Stalls--;
        var end = drop ? Math.Min(body.Length, start + file.DropAfter) : stall ? Math.Min(body.Length, start + file.StallAfter) : body.Length;
        for (var offset = start; offset < end; offset += 4096)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(4096, end - offset)));
            if (file.ChunkDelay > TimeSpan.Zero) await Task.Delay(file.ChunkDelay);
        }
        await stream.FlushAsync();
        if (stall) await Task.Delay(Timeout.Infinite, stop.Token);   // silent until the client gives up and the hub is disposed
        // Closed before the announced Content-Length: the client sees the body end early, as when a connection breaks.
        // (A FIN rather than a reset, so the client always reads the bytes sent first and the test counts them exactly.)
        if (drop)
        {
            if (file.ResetOnDrop) client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
    }

    private static async Task Respond(NetworkStream stream, RecordedRequest request, int status, List<(string Name, string Value)> headers, bool flushOnly = false)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        foreach (var (name, value) in headers) text.Append(name).Append(": ").Append(value).Append("\r\n");
        if (!headers.Any(h => h.Name == "Content-Length")) text.Append("Content-Length: 0\r\n");
        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        await stream.FlushAsync();
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 307 => "Temporary Redirect",
        401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", _ => "Status",
    };

    private static async Task<RecordedRequest?> ReadRequest(NetworkStream stream)
    {
        var buffer = new byte[16384];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length));
            if (read == 0) return null;
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var lines = text[..end].Split("\r\n");
            var parts = lines[0].Split(' ');
            var headers = new Dictionary<string, string>();
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
            return new RecordedRequest("", parts[0], parts[1], headers);
        }
        return null;
    }

    public void Dispose()
    {
        stop.Cancel();
        hub.Stop();
        cdn.Stop();
        stop.Dispose();
    }
}
