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
