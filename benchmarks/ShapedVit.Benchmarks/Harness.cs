using System.Diagnostics;
using System.Globalization;

namespace ShapedVit.Benchmarks;

/// <summary>One timed quantity: per-repetition seconds, summarised by the median (robust to a shared machine's spikes).</summary>
public sealed record Timing(string Name, IReadOnlyList<double> Seconds, double LoadBefore, double LoadAfter, IReadOnlyList<double> CpuSeconds)
{
    /// <summary>Median of process CPU time / (wall time x torch threads): below 1, other processes took our cores.</summary>
    public double CpuShare => Harness.Median(Seconds.Select((wall, i) => CpuSeconds[i] / (wall * TorchSharp.torch.get_num_threads())).ToList());
    public double Median => Harness.Median(Seconds);
    public double Min => Seconds.Min();
    public double Max => Seconds.Max();
}

public static class Harness
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Runs <paramref name="action"/> <paramref name="warmups"/> times untimed, then <paramref name="repetitions"/> times timed.</summary>
    public static Timing Measure(string name, int warmups, int repetitions, Action action)
    {
        for (int i = 0; i < warmups; i++) action();
        return MeasureInterleaved(0, repetitions, (name, action))[0];
    }

    /// <summary>
    /// Times several actions in rounds (each round runs every action once, in rotating order), so that a shared machine's
    /// changing load falls on all of them alike and their ratios stay fair.
    /// </summary>
    public static Timing[] MeasureInterleaved(int warmups, int repetitions, params (string Name, Action Action)[] actions) =>
        MeasureInterleaved(warmups, repetitions, pauseMilliseconds: 0, actions);

    /// <summary>
    /// As above, with an untimed pause before each timed run, so that thread pools that spin after their work (ONNX
    /// Runtime's, OpenMP's) have gone to sleep and do not take cores from the next engine.
    /// </summary>
    public static Timing[] MeasureInterleaved(int warmups, int repetitions, int pauseMilliseconds, params (string Name, Action Action)[] actions) =>
        MeasureInterleaved(warmups, repetitions, pauseMilliseconds, untimedRunFirst: false, actions);

    /// <summary>
    /// As above; with <paramref name="untimedRunFirst"/> each timed run follows one untimed run of the same action, right
    /// after the pause, so that no action is timed cold (threads woken, caches and clocks back up) after another's turn.
    /// </summary>
    public static Timing[] MeasureInterleaved(int warmups, int repetitions, int pauseMilliseconds, bool untimedRunFirst, params (string Name, Action Action)[] actions)
    {
        foreach (var (_, action) in actions)
            for (int i = 0; i < warmups; i++) action();
        double loadBefore = LoadAverage();
        var seconds = actions.Select(_ => new double[repetitions]).ToArray();
        var cpu = actions.Select(_ => new double[repetitions]).ToArray();
        using var process = Process.GetCurrentProcess();
        for (int round = 0; round < repetitions; round++)
        {
            for (int k = 0; k < actions.Length; k++)
            {
                int a = (k + round) % actions.Length;
                if (pauseMilliseconds > 0) Thread.Sleep(pauseMilliseconds);
                if (untimedRunFirst) actions[a].Action();
                process.Refresh();
                var cpuStart = process.TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                actions[a].Action();
                seconds[a][round] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                process.Refresh();
                cpu[a][round] = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            }
        }
        double loadAfter = LoadAverage();
        var timings = actions.Select((x, a) => new Timing(x.Name, seconds[a], loadBefore, loadAfter, cpu[a])).ToArray();
        foreach (var t in timings)
            Console.Error.WriteLine($"  {t.Name}: median {Format(t.Median * 1e3)} ms (min {Format(t.Min * 1e3)}, max {Format(t.Max * 1e3)}, n={repetitions}, cpu share {Format(t.CpuShare)}, load {Format(loadBefore)}->{Format(loadAfter)})");
        return timings;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The 1-minute load average (Linux); NaN elsewhere.</summary>
    public static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], Invariant); }
        catch (IOException) { return double.NaN; }
        catch (UnauthorizedAccessException) { return double.NaN; }
    }

    /// <summary>Minor plus major page faults of this process so far (Linux; 0 elsewhere).</summary>
    public static long PageFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command name: state is field 3, minflt field 10, majflt field 12 (1-based, proc(5)).
            return long.Parse(fields[10 - 3], Invariant) + long.Parse(fields[12 - 3], Invariant);
        }
        catch (IOException) { return 0; }
    }

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    /// <summary>Resident set size in bytes, read fresh.</summary>
    public static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    public static string Format(double value, int decimals = 2) => double.IsNaN(value) ? "n/a" : value.ToString("F" + decimals, Invariant);
}

/// <summary>Collects Markdown tables for the report.</summary>
public sealed class Report
{
    private readonly List<string> lines = new();

    public void Heading(string text) { lines.Add(""); lines.Add("### " + text); lines.Add(""); }
    public void Line(string text) => lines.Add(text);

    public void Table(string[] header, IEnumerable<string[]> rows)
    {
        lines.Add("| " + string.Join(" | ", header) + " |");
        lines.Add("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows) lines.Add("| " + string.Join(" | ", row) + " |");
    }

    public override string ToString() => string.Join(Environment.NewLine, lines) + Environment.NewLine;
}
