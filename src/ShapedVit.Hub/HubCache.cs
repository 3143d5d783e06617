using System.Text.RegularExpressions;

namespace ShapedVit.Hub;

/// <summary>huggingface_hub's cache layout, read and written the way it does it, so both share one cache:
/// <c>models--org--name/blobs/&lt;etag&gt;</c>, <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> as a relative symlink to the blob,
/// <c>refs/&lt;revision&gt;</c> holding the commit, and lock files under <c>.locks/models--org--name/&lt;etag&gt;.lock</c>.</summary>
internal sealed partial class HubCache(string root)
{
    public string Root { get; } = root;

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHashPattern();

    public static bool IsCommitHash(string revision) => CommitHashPattern().IsMatch(revision);

    public static string RepositoryFolderName(string repoId) => "models--" + repoId.Replace("/", "--", StringComparison.Ordinal);

    public string RepositoryFolder(string repoId) => Path.Combine(Root, RepositoryFolderName(repoId));

    public string BlobPath(string repoId, string etag) => Path.Combine(RepositoryFolder(repoId), "blobs", etag);

    public string PointerPath(string repoId, string commit, string fileName) =>
        Path.Combine([RepositoryFolder(repoId), "snapshots", commit, .. fileName.Split('/')]);

    public string RefPath(string repoId, string revision) =>
        Path.Combine([RepositoryFolder(repoId), "refs", .. revision.Split('/')]);

    public string LockPath(string repoId, string etag) => Path.Combine(Root, ".locks", RepositoryFolderName(repoId), etag + ".lock");

    /// <summary>The commit a revision points at in the cache: the revision itself for a commit hash, else refs/&lt;revision&gt;.</summary>
    public string? CachedCommit(string repoId, string revision)
    {
        if (IsCommitHash(revision)) return revision;
        var refPath = RefPath(repoId, revision);
        try
        {
            var info = new FileInfo(refPath);
            if (!info.Exists || info.Length > 256) return null;
            var commit = File.ReadAllText(refPath).Trim();
            return IsCommitHash(commit) ? commit : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>The snapshot file for (repo, revision, file) if the cache has it, resolving the symlink's target.</summary>
    public string? TryFind(string repoId, string revision, string fileName)
    {
        var commit = CachedCommit(repoId, revision);
        if (commit is null) return null;
        var pointer = PointerPath(repoId, commit, fileName);
        return File.Exists(pointer) ? pointer : null;   // File.Exists follows the link: a dangling one is not a cached file
    }

    /// <summary>huggingface_hub's marker that a file does not exist at a commit: <c>.no_exist/&lt;commit&gt;/&lt;file&gt;</c>, empty.</summary>
    public string NoExistPath(string repoId, string commit, string fileName) =>
        Path.Combine([RepositoryFolder(repoId), ".no_exist", commit, .. fileName.Split('/')]);

    /// <summary>Whether the cache knows <paramref name="fileName"/> does not exist at the commit <paramref name="revision"/>
    /// resolves to (huggingface_hub's <c>try_to_load_from_cache</c> returning <c>_CACHED_NO_EXIST</c>).</summary>
    public bool IsKnownMissing(string repoId, string revision, string fileName) =>
        CachedCommit(repoId, revision) is { } commit && File.Exists(NoExistPath(repoId, commit, fileName));

    /// <summary>Records that <paramref name="fileName"/> does not exist at <paramref name="commit"/>, as huggingface_hub does
    /// after a 404 EntryNotFound that names the commit: an empty marker file. Best effort: a read-only cache only loses the
    /// shortcut.</summary>
    public void MarkMissing(string repoId, string revision, string commit, string fileName)
    {
        try
        {
            var marker = NoExistPath(repoId, commit, fileName);
            if (!File.Exists(marker))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
                using (new FileStream(marker, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)) { }
            }
            WriteRef(repoId, revision, commit);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes refs/&lt;revision&gt; atomically (temporary file, then rename) when it is not already that commit.</summary>
    public void WriteRef(string repoId, string revision, string commit)
    {
        if (revision == commit) return;
        var refPath = RefPath(repoId, revision);
        if (CachedCommit(repoId, revision) == commit) return;
        Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        var temporary = refPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, commit);
        File.Move(temporary, refPath, overwrite: true);
    }

    /// <summary>Creates snapshots/&lt;commit&gt;/&lt;file&gt; as a relative symlink to the blob, atomically (a link under a
    /// temporary name, then renamed), so a reader sees no link or a complete one.</summary>
    public void LinkSnapshot(string blobPath, string pointerPath)
    {
        var folder = Path.GetDirectoryName(pointerPath)!;
        Directory.CreateDirectory(folder);
        var target = Path.GetRelativePath(folder, blobPath);
        var temporary = pointerPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.CreateSymbolicLink(temporary, target);
        }
        catch (Exception e) when (OperatingSystem.IsWindows() && e is IOException or UnauthorizedAccessException)
        {
            // Windows without developer mode cannot make symlinks: huggingface_hub then copies the blob; so do we.
            File.Copy(blobPath, temporary);
        }
        File.Move(temporary, pointerPath, overwrite: true);
    }
}
