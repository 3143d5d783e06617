using ShapedVit.Hub;

// Usage: ShapedVit.Hub.TestDownloader ENDPOINT CACHE_DIR REPO FILE
// Prints "downloaded PATH" or "cached PATH"; exits 1 with the one-line error otherwise. Sends requests only to ENDPOINT
// (the tests' loopback server) and to the hosts it redirects to, and gives up within the client's bounded retries.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: ShapedVit.Hub.TestDownloader ENDPOINT CACHE_DIR REPO FILE");
    return 2;
}
var options = new HubOptions
{
    Endpoint = new Uri(args[0]),
    CacheDirectory = args[1],
    RequestTimeout = TimeSpan.FromSeconds(20),
    MaxRetries = 1,
    RetryDelay = TimeSpan.FromMilliseconds(50),
    LockTimeout = TimeSpan.FromSeconds(60),
};
try
{
    using var hub = new HubClient(options);
    var file = await hub.DownloadAsync(args[2], args[3]);
    Console.WriteLine((file.Downloaded ? "downloaded " : "cached ") + file.Path);
    return 0;
}
catch (HubException error)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 1;
}
