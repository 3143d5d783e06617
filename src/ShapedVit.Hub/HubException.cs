namespace ShapedVit.Hub;

/// <summary>What went wrong with a Hub request, a cached file or a repo's metadata.</summary>
public enum HubErrorKind
{
    /// <summary>The repo does not exist, or is private and the token (if any) does not give access.</summary>
    RepositoryNotFound,
    /// <summary>The repo exists but the branch, tag or commit does not.</summary>
    RevisionNotFound,
    /// <summary>The repo and revision exist but the file does not.</summary>
    EntryNotFound,
    /// <summary>The repo is gated: its terms must be accepted on the Hub with the account whose token is used.</summary>
    GatedRepository,
    /// <summary>The Hub refused the request (401/403) without saying the repo is missing.</summary>
    Unauthorized,
    /// <summary>Offline (or the network failed) and the file is not in the cache.</summary>
    NotCached,
    /// <summary>The network failed or timed out after the bounded retries.</summary>
    Network,
    /// <summary>The server's answer lacks what the protocol promises (commit, etag, size) or is malformed.</summary>
    InvalidResponse,
    /// <summary>The downloaded bytes do not match the size or sha256 the Hub announced; nothing was kept.</summary>
    IntegrityMismatch,
    /// <summary>A name, repo id, revision or file name that cannot be used.</summary>
    InvalidName,
    /// <summary>A config.json that is not valid for its format (too large, wrong type, inconsistent).</summary>
    InvalidConfig,
    /// <summary>The repo offers only pickled PyTorch weights (.bin), which ShapedVit does not load.</summary>
    PickleOnly,
    /// <summary>The cache folder could not be written.</summary>
    Cache,
    /// <summary>A repo's config.json names a model no timm architecture matches.</summary>
    UnsupportedArchitecture,
}

/// <summary>A Hub download or resolution that could not be done. The message is one line, names the repo (or file) and
/// says what to do; it never contains the access token.</summary>
public sealed class HubException : Exception
{
    /// <summary>A failure of <paramref name="kind"/>; <paramref name="message"/> is folded to one line.</summary>
    public HubException(HubErrorKind kind, string message, Exception? inner = null) : base(OneLine(message), inner) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public HubErrorKind Kind { get; }

    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
