namespace ShapedVit.Testing;

/// <summary>The setup every test class against the loopback Hub repeats: a fresh <see cref="FakeHub"/> and a temporary
/// folder (for the cache) per test, both disposed after it.</summary>
public abstract class LoopbackHubTest : IDisposable
{
    /// <summary>The stand-in Hub and CDN on 127.0.0.1.</summary>
    protected FakeHub Hub { get; } = new();

    /// <summary>A temporary folder, deleted after the test.</summary>
    protected TempDirectory Folder { get; } = new();

    /// <summary>Stops the Hub and deletes the folder.</summary>
    public void Dispose()
    {
        Hub.Dispose();
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }
}
