using System.Globalization;
using ShapedVit.Hub;

namespace ShapedVit.Samples.Shared;

/// <summary>
/// The download progress of <see cref="HubClient"/>, driven by its <see cref="IProgress{T}"/> reports: on a terminal a bar
/// redrawn in place (<c>model.safetensors [#######-------] 48%  41.2/86.6 MB  9.8 MB/s</c>); elsewhere (pipes, files, tests)
/// one line when a file starts and one when it is complete, so logs stay short.
/// </summary>
public sealed class DownloadBar(TextWriter log, bool live) : IProgress<HubDownloadProgress>
{
    private const int Width = 24;
    private readonly Lock gate = new();
    private string? current;
    private bool drawn;

    /// <summary>A bar on <paramref name="log"/>, live when it is this process's stderr on a terminal.</summary>
    public static DownloadBar For(TextWriter log) =>
        new(log, ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected && !SampleCommandLine.NoColor);

    /// <summary>Draws one report (called from the download's thread).</summary>
    public void Report(HubDownloadProgress value)
    {
        lock (gate)
        {
            bool started = value.FileName != current;
            if (started && drawn) log.WriteLine();
            current = value.FileName;
            bool done = value.BytesDone >= value.TotalBytes;
            if (live)
            {
                log.Write("\r" + Line(value));
                drawn = !done;
                if (done) log.WriteLine();
            }
            else if (started && !done)
                log.WriteLine($"downloading {value.FileName} ({Size(value.TotalBytes)})");
            else if (done)
                log.WriteLine($"downloaded {value.FileName} ({Size(value.TotalBytes)}, {Size((long)value.BytesPerSecond)}/s)");
        }
    }

    /// <summary>The bar's text for one report.</summary>
    public static string Line(HubDownloadProgress value)
    {
        double share = value.TotalBytes > 0 ? Math.Clamp((double)value.BytesDone / value.TotalBytes, 0, 1) : 1;
        int filled = (int)Math.Round(share * Width);
        return string.Create(CultureInfo.InvariantCulture,
            $"{value.FileName} [{new string('#', filled)}{new string('-', Width - filled)}] {share * 100,3:0}%  {Size(value.BytesDone)} of {Size(value.TotalBytes)}  {Size((long)value.BytesPerSecond)}/s");
    }

    /// <summary>Bytes in B, kB, MB or GB (decimal, as the Hub shows sizes).</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.00} GB"),
    };
}
