using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ShapedVit.Hub;

/// <summary>Downloads files of Hugging Face Hub repos into huggingface_hub's cache, the way <c>hf_hub_download</c> does:
/// a HEAD request on <c>{endpoint}/{repo}/resolve/{revision}/{file}</c> gives the commit, the blob's etag and size; the body
/// comes from the CDN URL it redirects to, resumed with <c>Range</c> when interrupted; the blob is checked against its
/// sha256 before it enters <c>blobs/</c>, and only then linked under <c>snapshots/</c>.</summary>
public sealed partial class HubClient : IDisposable
{
    private const int MaxRelativeRedirects = 5;
    private const int BufferSize = 1 << 16;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(8);

    private readonly HttpClient http;
    private readonly HubCache cache;

    /// <summary>A client with <paramref name="options"/>, or <see cref="HubOptions.FromEnvironment()"/> when null.</summary>
    /// <exception cref="HubException">With null options: the environment's HF_ENDPOINT or token file is unusable.</exception>
    public HubClient(HubOptions? options = null)
    {
        Options = options ?? HubOptions.FromEnvironment();
        if (Options.MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxRetries must be 0 or more");
        if (Options.RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "RequestTimeout must be positive");
        cache = new HubCache(Options.CacheDirectory);
        // Redirects are followed by hand: relative ones for a renamed repo, an absolute one to the CDN without the token.
        http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = Options.RequestTimeout,
            UseCookies = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ShapedVit.Hub", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>The options this client uses.</summary>
    public HubOptions Options { get; }

    /// <summary>The cache root (huggingface_hub's <c>HF_HUB_CACHE</c>).</summary>
    public string CacheDirectory => cache.Root;

    /// <summary>The URL huggingface_hub's <c>hf_hub_url</c> gives: <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>, the revision
    /// URL-encoded whole (<c>refs/pr/1</c> becomes <c>refs%2Fpr%2F1</c>), the file per path segment.</summary>
    public Uri ResolveUrl(string repoId, string fileName, string revision = "main")
    {
        ValidateNames(repoId, fileName, revision);
        var endpoint = Options.Endpoint.AbsoluteUri.TrimEnd('/');
        var file = string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{endpoint}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{file}");
    }

    /// <summary>The cached file for (repo, file, revision) without any request, or null when the cache does not have it.</summary>
    public HubFile? TryGetCached(string repoId, string fileName, string revision = "main")
    {
        ValidateNames(repoId, fileName, revision);
        var commit = cache.CachedCommit(repoId, revision);
        var path = cache.TryFind(repoId, revision, fileName);
        return path is null || commit is null ? null : new HubFile(repoId, revision, fileName, commit, path, downloaded: false);
    }

    /// <summary>The file in the cache, downloaded first when it is not there. A commit-hash revision that is cached, or
    /// <see cref="HubOptions.Offline"/>, sends no request; a failed network falls back to the cache.</summary>
    /// <exception cref="HubException">The repo, revision or file does not exist or is not accessible, it is not cached while
    /// offline, the network failed after the retries, or the bytes did not match the announced sha256.</exception>
    public async Task<HubFile> DownloadAsync(string repoId, string fileName, string revision = "main",
        IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(repoId, fileName, revision);
        if (HubCache.IsCommitHash(revision))
        {
            if (TryGetCached(repoId, fileName, revision) is { } pinned) return pinned;
            // A commit never changes: a file recorded as missing there (.no_exist) is missing without asking, as transformers does.
            if (cache.IsKnownMissing(repoId, revision, fileName)) throw KnownMissing(repoId, fileName, revision);
        }
        if (Options.Offline)
        {
            if (TryGetCached(repoId, fileName, revision) is { } cached) return cached;
            if (cache.IsKnownMissing(repoId, revision, fileName)) throw KnownMissing(repoId, fileName, revision);
            throw new HubException(HubErrorKind.NotCached, $"{repoId}@{revision} {fileName} is not in the cache {cache.Root} and the Hub is offline (HF_HUB_OFFLINE / --offline): run once online to download it");
        }

        FileMetadata metadata;
        try
        {
            metadata = await HeadAsync(repoId, fileName, revision, retries: 0, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException error) when (error.Kind is HubErrorKind.Network or HubErrorKind.Unauthorized or HubErrorKind.RepositoryNotFound
                                             or HubErrorKind.GatedRepository or HubErrorKind.InvalidResponse)
        {
            // As huggingface_hub: no answer, or no access, is not "no file" when the cache has it.
            if (TryGetCached(repoId, fileName, revision) is { } cached) return cached;
            if (cache.IsKnownMissing(repoId, revision, fileName)) throw KnownMissing(repoId, fileName, revision, error);
            if (error.Kind != HubErrorKind.Network) throw;
            metadata = await HeadAsync(repoId, fileName, revision, Options.MaxRetries, cancellationToken).ConfigureAwait(false);
        }

        var pointerPath = cache.PointerPath(repoId, metadata.Commit, fileName);
        var blobPath = cache.BlobPath(repoId, metadata.Etag);
        try
        {
            if (File.Exists(pointerPath))
            {
                TryWriteRef(repoId, revision, metadata.Commit);   // best effort: a read-only cache still serves its files
                return new HubFile(repoId, revision, fileName, metadata.Commit, pointerPath, downloaded: false);
            }
            cache.WriteRef(repoId, revision, metadata.Commit);
            var lockPath = cache.LockPath(repoId, metadata.Etag);
            Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
            bool downloaded = false;
            using (await AcquireLockAsync(lockPath, repoId, fileName, cancellationToken).ConfigureAwait(false))
            {
                if (!File.Exists(blobPath))
                {
                    await DownloadBlobAsync(repoId, fileName, metadata, blobPath, progress, cancellationToken).ConfigureAwait(false);
                    downloaded = true;
                }
                if (!File.Exists(pointerPath)) cache.LinkSnapshot(blobPath, pointerPath);
            }
            return new HubFile(repoId, revision, fileName, metadata.Commit, pointerPath, downloaded);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new HubException(HubErrorKind.Cache, $"cannot write {repoId} {fileName} into the cache {cache.Root}: {error.Message}; set HF_HUB_CACHE to a writable folder", error);
        }
    }

    /// <summary>Whether the cache records <paramref name="fileName"/> as missing at the commit <paramref name="revision"/>
    /// resolves to: huggingface_hub's <c>.no_exist/&lt;commit&gt;/&lt;file&gt;</c> marker, written after the Hub answered
    /// EntryNotFound (by this client or by Python). No request is sent.</summary>
    public bool IsCachedAsMissing(string repoId, string fileName, string revision = "main")
    {
        ValidateNames(repoId, fileName, revision);
        return cache.IsKnownMissing(repoId, revision, fileName);
    }

    private HubException KnownMissing(string repoId, string fileName, string revision, Exception? inner = null) =>
        new(HubErrorKind.EntryNotFound, $"{repoId}@{revision}: no file {fileName} (the cache records it as missing at commit {cache.CachedCommit(repoId, revision)}, in .no_exist)", inner);

    /// <summary>What a HEAD on the resolve URL said.</summary>
    internal sealed record FileMetadata(string Commit, string Etag, long Size, string? Sha256, Uri DownloadUrl);

    internal async Task<FileMetadata> HeadAsync(string repoId, string fileName, string revision, int retries, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await HeadOnceAsync(repoId, fileName, revision, cancellationToken).ConfigureAwait(false);
            }
            catch (HubException error) when (error.Kind == HubErrorKind.Network && attempt < retries)
            {
                await Task.Delay(RetryDelay(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<FileMetadata> HeadOnceAsync(string repoId, string fileName, string revision, CancellationToken cancellationToken)
    {
        var url = ResolveUrl(repoId, fileName, revision);
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));   // the real size, not a compressed one
            Authorize(request, url);
            using var response = await SendAsync(request, repoId, fileName, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && Header(response, "Location") is { } location)
            {
                var target = Redirect(url, location, repoId);
                if (!IsAbsoluteReference(location))
                {
                    // A renamed repo answers with a relative redirect; follow it (bounded), with the token, as huggingface_hub does.
                    if (hop >= MaxRelativeRedirects)
                        throw new HubException(HubErrorKind.InvalidResponse, $"{repoId} {fileName}: more than {MaxRelativeRedirects} redirects from {Options.Endpoint.Host}; check HF_ENDPOINT");
                    url = target;
                    continue;
                }
                return Metadata(response, repoId, fileName, revision, target, redirected: true);
            }
            if (!response.IsSuccessStatusCode)
            {
                var error = ErrorFor(response, repoId, fileName, revision);
                // As huggingface_hub: a 404 EntryNotFound that names the commit is remembered under .no_exist/<commit>/.
                if (error.Kind == HubErrorKind.EntryNotFound && Header(response, "X-Error-Code") == "EntryNotFound"
                    && Header(response, "X-Repo-Commit") is { } commit && HubCache.IsCommitHash(commit))
                    cache.MarkMissing(repoId, revision, commit, fileName);
                throw error;
            }
            return Metadata(response, repoId, fileName, revision, url, redirected: false);
        }
    }

    private FileMetadata Metadata(HttpResponseMessage response, string repoId, string fileName, string revision, Uri downloadUrl, bool redirected)
    {
        var what = $"{repoId}@{revision} {fileName}";
        var commit = Header(response, "X-Repo-Commit");
        if (commit is null || !HubCache.IsCommitHash(commit))
            throw new HubException(HubErrorKind.InvalidResponse, $"{what}: the answer from {downloadUrl.Host} has {(commit is null ? "no" : "a malformed")} X-Repo-Commit header, so it is not the Hub; check HF_ENDPOINT, proxy and firewall settings");
        var linkedEtag = Header(response, "X-Linked-Etag");
        var etag = NormalizeEtag(linkedEtag ?? Header(response, "ETag"));
        if (etag is null || !EtagPattern().IsMatch(etag))
            throw new HubException(HubErrorKind.InvalidResponse, $"{what}: the Hub's answer has {(etag is null ? "no" : "a malformed")} ETag, so the file cannot be cached reproducibly");
        var sizeText = Header(response, "X-Linked-Size") ?? (redirected ? null : response.Content.Headers.ContentLength?.ToString(CultureInfo.InvariantCulture));
        if (sizeText is null || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new HubException(HubErrorKind.InvalidResponse, $"{what}: the Hub's answer has {(sizeText is null ? "no" : "a malformed")} size (X-Linked-Size or Content-Length)");
        // An LFS file's X-Linked-Etag is the sha256 of its bytes: the download is checked against it.
        var sha256 = linkedEtag is not null && Sha256Pattern().IsMatch(etag) ? etag : null;
        return new FileMetadata(commit, etag, size, sha256, downloadUrl);
    }

    private async Task DownloadBlobAsync(string repoId, string fileName, FileMetadata metadata, string blobPath,
        IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var incompletePath = blobPath + ".incomplete";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var stopwatch = Stopwatch.StartNew();
        long received = 0;
        var lastReport = TimeSpan.MinValue;
        void Report(long done, bool force)
        {
            if (progress is null || (!force && stopwatch.Elapsed - lastReport < ProgressInterval)) return;
            lastReport = stopwatch.Elapsed;
            progress.Report(new HubDownloadProgress(fileName, done, metadata.Size, received / Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-3)));
        }

        try
        {
            await using (var file = new FileStream(incompletePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, useAsync: true))
            {
                // A previous run's .incomplete (we hold the blob's lock, so no one else writes it) is resumed: hash what it has.
                if (file.Length > metadata.Size) file.SetLength(0);
                var done = await HashExistingAsync(file, hash, cancellationToken).ConfigureAwait(false);
                Report(done, force: true);
                var failures = 0;
                while (done < metadata.Size)
                {
                    try
                    {
                        done = await ReceiveAsync(repoId, fileName, metadata, file, hash, done, n => { received += n; }, d => Report(d, false), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception error) when (IsTransient(error, cancellationToken))
                    {
                        done = file.Length;
                        if (++failures > Options.MaxRetries)
                            throw new HubException(HubErrorKind.Network, $"{repoId} {fileName}: the download failed {failures} times at {done} of {metadata.Size} bytes ({Describe(error)}); run again to resume from {incompletePath}", error);
                        await Task.Delay(RetryDelay(failures - 1), cancellationToken).ConfigureAwait(false);
                        if (done != file.Position) file.Position = done;
                    }
                }
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HubException error) when (error.Kind == HubErrorKind.IntegrityMismatch)
        {
            TryDelete(incompletePath);   // bytes the Hub did not announce are not kept, not even to resume from
            throw;
        }

        Report(metadata.Size, force: true);
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (metadata.Sha256 is not null && actual != metadata.Sha256)
        {
            TryDelete(incompletePath);
            throw new HubException(HubErrorKind.IntegrityMismatch, $"{repoId} {fileName}: the downloaded bytes have sha256 {actual}, not the {metadata.Sha256} the Hub announced; nothing was kept; run again, and report it if it repeats");
        }
        File.Move(incompletePath, blobPath, overwrite: false);
    }

    private static async Task<long> HashExistingAsync(FileStream file, IncrementalHash hash, CancellationToken cancellationToken)
    {
        file.Position = 0;
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) hash.AppendData(buffer, 0, read);
        return file.Position;
    }

    /// <summary>One GET from <paramref name="done"/> on; returns the bytes on disk afterwards. A body shorter than announced
    /// throws an IOException, so the caller resumes it.</summary>
    private async Task<long> ReceiveAsync(string repoId, string fileName, FileMetadata metadata, FileStream file, IncrementalHash hash,
        long done, Action<int> onReceived, Action<long> onProgress, CancellationToken cancellationToken)
    {
        var url = metadata.DownloadUrl;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (done > 0) request.Headers.Range = new RangeHeaderValue(done, null);
            Authorize(request, url);
            using var response = await SendAsync(request, repoId, fileName, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && Header(response, "Location") is { } location)
            {
                if (hop >= MaxRelativeRedirects)
                    throw new HubException(HubErrorKind.InvalidResponse, $"{repoId} {fileName}: more than {MaxRelativeRedirects} redirects while downloading from {url.Host}");
                url = Redirect(url, location, repoId);
                continue;
            }
            if (!response.IsSuccessStatusCode) throw ErrorFor(response, repoId, fileName, "(download)");
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != done)
                    throw new HubException(HubErrorKind.InvalidResponse, $"{repoId} {fileName}: asked for bytes from {done}, the server sent a range from {range?.From?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}");
            }
            else if (done > 0)
            {
                // The server ignored Range: start over.
                file.SetLength(0);
                file.Position = 0;
                hash.GetHashAndReset();
                done = 0;
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[BufferSize];
            while (true)
            {
                int read;
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    stall.CancelAfter(Options.RequestTimeout);
                    read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                }
                if (read == 0) break;
                if (done + read > metadata.Size)
                    throw new HubException(HubErrorKind.IntegrityMismatch, $"{repoId} {fileName}: the server sent more than the {metadata.Size} bytes the Hub announced; nothing was kept");
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                done += read;
                onReceived(read);
                onProgress(done);
            }
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (done < metadata.Size) throw new BodyEndedException();
            return done;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string repoId, string fileName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == 429 || status >= 500)
            {
                response.Dispose();
                throw new HubException(HubErrorKind.Network, $"{repoId} {fileName}: {request.RequestUri!.Host} answered {status} {(status == 429 ? "(rate limited)" : "(server error)")}; try again later");
            }
            return response;
        }
        catch (Exception error) when (error is HttpRequestException or IOException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new HubException(HubErrorKind.Network, $"{repoId} {fileName}: no answer from {request.RequestUri!.Host} ({Describe(error)}); check the network, or set HF_HUB_OFFLINE=1 to use the cache only", error);
        }
    }

    private static bool IsTransient(Exception error, CancellationToken cancellationToken) =>
        error is IOException or HttpRequestException
        || (error is HubException hub && hub.Kind == HubErrorKind.Network)
        || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception error) => error switch
    {
        OperationCanceledException => "timed out",
        HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } or BodyEndedException => "the connection closed before the end of the body",
        HubException hub => hub.Message,
        _ => HubException.OneLine(error.Message),
    };

    // The token goes to the Hub's own host only: never to a CDN or any other host a redirect names.
    private void Authorize(HttpRequestMessage request, Uri url)
    {
        if (Options.Token is { } token && string.Equals(url.IdnHost, Options.Endpoint.IdnHost, StringComparison.OrdinalIgnoreCase) && url.Port == Options.Endpoint.Port)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private Uri Redirect(Uri from, string location, string repoId)
    {
        if (!Uri.TryCreate(from, location, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            throw new HubException(HubErrorKind.InvalidResponse, $"{repoId}: {from.Host} redirected to '{HubOptions.Shorten(location)}', which is not an http(s) URL");
        return target;
    }

    private static bool IsAbsoluteReference(string location) =>
        location.StartsWith("//", StringComparison.Ordinal) || AbsoluteUrlPattern().IsMatch(location);

    private HubException ErrorFor(HttpResponseMessage response, string repoId, string fileName, string revision)
    {
        var status = (int)response.StatusCode;
        var code = Header(response, "X-Error-Code");
        var page = $"{Options.Endpoint.AbsoluteUri.TrimEnd('/')}/{repoId}";
        return code switch
        {
            "RevisionNotFound" => new HubException(HubErrorKind.RevisionNotFound, $"{repoId}: revision '{revision}' not found ({status}); check the branch, tag or commit at {page}"),
            "EntryNotFound" => new HubException(HubErrorKind.EntryNotFound, $"{repoId}@{revision}: no file {fileName} ({status}); see the repo's files at {page}"),
            "GatedRepo" => new HubException(HubErrorKind.GatedRepository, $"{repoId} is gated ({status}): accept its terms at {page} with your account, then set HF_TOKEN to a token of that account"),
            "RepoNotFound" => new HubException(HubErrorKind.RepositoryNotFound, $"{repoId}: repository not found ({status}); check the name, and if it is private set HF_TOKEN to a token with access to it"),
            _ when status == 401 => new HubException(HubErrorKind.Unauthorized, Options.Token is null
                ? $"{repoId}: the Hub refused access without a token ({status}); the repo may be private or may not exist: check the name, or set HF_TOKEN (or run huggingface-cli login)"
                : $"{repoId}: the Hub refused the token ({status}); check the name, and that HF_TOKEN (or $HF_HOME/token) is valid and has access to the repo"),
            _ when status == 403 => new HubException(HubErrorKind.Unauthorized, $"{repoId}: access forbidden ({status}); make sure the token in HF_TOKEN has read access to {page}"),
            _ when status == 404 => new HubException(HubErrorKind.EntryNotFound, $"{repoId}@{revision}: {fileName} not found ({status}) at {response.RequestMessage?.RequestUri?.Host}"),
            _ => new HubException(HubErrorKind.InvalidResponse, $"{repoId}@{revision} {fileName}: unexpected answer {status} from {response.RequestMessage?.RequestUri?.Host}"),
        };
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault() : null;

    /// <summary>huggingface_hub's etag normalisation: a weak <c>W/</c> prefix and the quotes removed.</summary>
    internal static string? NormalizeEtag(string? etag)
    {
        if (etag is null) return null;
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        return value.Trim('"');
    }

    private async Task<IDisposable> AcquireLockAsync(string lockPath, string repoId, string fileName, CancellationToken cancellationToken)
    {
        // FileShare.None takes flock(LOCK_EX) on Unix, the lock Python's filelock takes on the same .lock file.
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (waited.Elapsed < Options.LockTimeout && File.Exists(lockPath))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException error) when (waited.Elapsed >= Options.LockTimeout)
            {
                throw new HubException(HubErrorKind.Cache, $"{repoId} {fileName}: another process has held {lockPath} for {Options.LockTimeout.TotalMinutes:0} minutes; if none is downloading, delete the lock file", error);
            }
        }
    }

    private void TryWriteRef(string repoId, string revision, string commit)
    {
        try { cache.WriteRef(repoId, revision, commit); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private TimeSpan RetryDelay(int attempt)
    {
        var delay = Options.RetryDelay * Math.Pow(2, Math.Min(attempt, 10));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    /// <summary>Refuses names that cannot be a Hub repo, revision or repo-relative file, before they become URLs or cache paths.</summary>
    internal static void ValidateNames(string repoId, string fileName, string revision)
    {
        ArgumentNullException.ThrowIfNull(repoId);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(revision);
        if (repoId.Length > 96 * 2 + 1 || !RepoIdPattern().IsMatch(repoId) || repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal))
            throw new HubException(HubErrorKind.InvalidName, $"'{HubOptions.Shorten(repoId)}' is not a Hub repo id: use org/name (letters, digits, '-', '_', '.'; no '--' or '..')");
        if (revision.Length is 0 or > 256 || !RevisionPattern().IsMatch(revision) || revision.Split('/').Any(part => part is "" or "." or ".."))
            throw new HubException(HubErrorKind.InvalidName, $"{repoId}: '{HubOptions.Shorten(revision)}' is not a revision: use a branch, tag or commit hash");
        if (fileName.Length is 0 or > 1024 || fileName.Contains('\\') || fileName.Any(char.IsControl) || fileName.Split('/').Any(part => part is "" or "." or ".."))
            throw new HubException(HubErrorKind.InvalidName, $"{repoId}: '{HubOptions.Shorten(fileName)}' is not a file path inside a repo");
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._/+=-]+$")]
    private static partial Regex RevisionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex EtagPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex AbsoluteUrlPattern();

    /// <summary>A body that ended (cleanly) before the announced size: resumed like a dropped connection.</summary>
    private sealed class BodyEndedException : IOException;

    /// <summary>Closes the HTTP connections.</summary>
    public void Dispose() => http.Dispose();
}
