namespace ShapedVit.Hub;

/// <summary>Where the Hub is, where its cache is, and how patient to be: huggingface_hub's environment variables
/// (<c>HF_ENDPOINT</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>) read the same way.
/// The token is never printed: <see cref="ToString"/> only says whether one is set.</summary>
public sealed class HubOptions
{
    /// <summary>huggingface_hub's default endpoint.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The Hub's base URL (<c>HF_ENDPOINT</c>); files are at <c>{Endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public Uri Endpoint { get; init; } = new(DefaultEndpoint);

    /// <summary>The cache root holding <c>models--org--name</c> folders (<c>HF_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>).</summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory(Environment.GetEnvironmentVariable);

    /// <summary>The access token sent as <c>Authorization: Bearer</c> to <see cref="Endpoint"/>'s host only; null sends none.</summary>
    public string? Token { get; init; }

    /// <summary>Resolve from the cache only and send no request (<c>HF_HUB_OFFLINE=1</c>).</summary>
    public bool Offline { get; init; }

    /// <summary>How long one request may wait for headers, and a body read for its next bytes (huggingface_hub: 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a failed request, or an interrupted body, is tried again (resumed with <c>Range</c>).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The wait before the first retry; it doubles per retry, up to 8 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for another process that holds the lock on the same blob (it is downloading it).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Options from the process's environment, as huggingface_hub reads it.</summary>
    public static HubOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Options from an environment given as a lookup (null for an unset variable).</summary>
    /// <exception cref="HubException">HF_ENDPOINT is not an http(s) URL, or the token file is not a token.</exception>
    public static HubOptions FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var endpoint = NonEmpty(variable("HF_ENDPOINT"))?.TrimEnd('/') ?? DefaultEndpoint;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || (endpointUri.Scheme != Uri.UriSchemeHttp && endpointUri.Scheme != Uri.UriSchemeHttps))
            throw new HubException(HubErrorKind.InvalidName, $"HF_ENDPOINT '{Shorten(endpoint)}' is not an http(s) URL: set it to the Hub's address, e.g. {DefaultEndpoint}");
        return new HubOptions
        {
            Endpoint = endpointUri,
            CacheDirectory = DefaultCacheDirectory(variable),
            Token = ReadToken(variable),
            Offline = IsTrue(variable("HF_HUB_OFFLINE")) || IsTrue(variable("TRANSFORMERS_OFFLINE")),
        };
    }

    /// <summary>huggingface_hub's cache root: <c>HF_HUB_CACHE</c>, else <c>HUGGINGFACE_HUB_CACHE</c>, else
    /// <c>$HF_HOME/hub</c>, where <c>HF_HOME</c> defaults to <c>$XDG_CACHE_HOME/huggingface</c> or <c>~/.cache/huggingface</c>.</summary>
    public static string DefaultCacheDirectory(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var cache = NonEmpty(variable("HF_HUB_CACHE")) ?? NonEmpty(variable("HUGGINGFACE_HUB_CACHE"));
        return ExpandHome(cache ?? Path.Combine(HfHome(variable), "hub"), variable);
    }

    private static string HfHome(Func<string, string?> variable)
    {
        var home = NonEmpty(variable("HF_HOME"));
        if (home is not null) return ExpandHome(home, variable);
        var xdg = NonEmpty(variable("XDG_CACHE_HOME")) ?? Path.Combine(UserHome(variable), ".cache");
        return Path.Combine(ExpandHome(xdg, variable), "huggingface");
    }

    // HF_TOKEN wins; else the file `huggingface-cli login` writes ($HF_TOKEN_PATH, default $HF_HOME/token).
    private static string? ReadToken(Func<string, string?> variable)
    {
        var token = NonEmpty(variable("HF_TOKEN")?.Trim());
        if (token is not null) return token;
        var path = NonEmpty(variable("HF_TOKEN_PATH")) is { } custom ? ExpandHome(custom, variable) : Path.Combine(HfHome(variable), "token");
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            if (info.Length > 4096) throw new HubException(HubErrorKind.InvalidName, $"the token file {path} is {info.Length} bytes, not a token: delete it or log in again");
            return NonEmpty(File.ReadAllText(path).Trim());
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string UserHome(Func<string, string?> variable) =>
        NonEmpty(variable("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string ExpandHome(string path, Func<string, string?> variable) =>
        path == "~" ? UserHome(variable) : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(variable), path[2..]) : path;

    private static bool IsTrue(string? value) =>
        value is not null && (value.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>The options, with the token shown only as set or not set.</summary>
    public override string ToString() =>
        $"HubOptions {{ Endpoint = {Endpoint}, CacheDirectory = {CacheDirectory}, Token = {(Token is null ? "not set" : "set (hidden)")}, Offline = {Offline}, RequestTimeout = {RequestTimeout}, MaxRetries = {MaxRetries} }}";
}
