namespace ShapedVit.Hub;

/// <summary>A file of a Hub repo, in the cache: its snapshot path and the commit it came from.</summary>
public sealed class HubFile
{
    internal HubFile(string repoId, string revision, string fileName, string commit, string path, bool downloaded)
    {
        RepoId = repoId; Revision = revision; FileName = fileName; Commit = commit; Path = path; Downloaded = downloaded;
    }

    /// <summary>The repo, e.g. <c>timm/vit_small_patch16_224.augreg_in21k_ft_in1k</c>.</summary>
    public string RepoId { get; }

    /// <summary>The revision asked for (branch, tag or commit).</summary>
    public string Revision { get; }

    /// <summary>The file's path inside the repo, e.g. <c>model.safetensors</c>.</summary>
    public string FileName { get; }

    /// <summary>The commit the revision resolved to.</summary>
    public string Commit { get; }

    /// <summary>The file in the cache: <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> (a symlink to its blob).</summary>
    public string Path { get; }

    /// <summary>Whether this call downloaded the blob (false: it was in the cache already).</summary>
    public bool Downloaded { get; }

    /// <summary>The repo, revision, file and its path.</summary>
    public override string ToString() => $"{RepoId}@{Revision} {FileName} -> {Path}";
}

/// <summary>How far a download is: bytes written so far (a resumed file counts what it already had), the file's size,
/// and the rate of this transfer.</summary>
public readonly struct HubDownloadProgress
{
    /// <summary>A progress report.</summary>
    public HubDownloadProgress(string fileName, long bytesDone, long totalBytes, double bytesPerSecond)
    {
        FileName = fileName; BytesDone = bytesDone; TotalBytes = totalBytes; BytesPerSecond = bytesPerSecond;
    }

    /// <summary>The file's path inside the repo.</summary>
    public string FileName { get; }

    /// <summary>Bytes of the file on disk so far.</summary>
    public long BytesDone { get; }

    /// <summary>The file's size as the Hub announced it.</summary>
    public long TotalBytes { get; }

    /// <summary>Bytes per second received by this transfer so far.</summary>
    public double BytesPerSecond { get; }

    /// <summary>e.g. <c>model.safetensors 12.0/86.0 MB 4.1 MB/s</c>.</summary>
    public override string ToString() =>
        $"{FileName} {BytesDone / 1e6:0.0}/{TotalBytes / 1e6:0.0} MB {BytesPerSecond / 1e6:0.0} MB/s";
}
