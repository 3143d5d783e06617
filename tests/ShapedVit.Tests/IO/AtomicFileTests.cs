using System.Diagnostics;
using ShapedVit.IO;
using ShapedVit.Testing;

namespace ShapedVit.Tests.IO;

/// <summary>The temporary file of a write killed by SIGKILL is removed by a later write, never while its writer lives.</summary>
public class AtomicFileTests
{
    private static readonly string TestDll = typeof(ChildProcess).Assembly.Location;

    private static Process StartWriter(string path)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { TestDll, ChildProcess.AtomicWriteAndHang, path }) start.ArgumentList.Add(argument);
        var child = Process.Start(start)!;
        var said = child.StandardOutput.ReadLineAsync();
        if (!said.Wait(TimeSpan.FromSeconds(120)) || said.Result != "writing")
        {
            child.Kill();
            Assert.Fail($"the writer did not start: {said.Status} {child.StandardError.ReadToEnd()}");
        }
        return child;
    }

    private static string[] Names(TempDirectory dir) => Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_killed_writer_s_temporary_file_survives_while_it_lives_and_goes_with_the_next_write_after_sigkill()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        string target = dir.File("model.safetensors");
        AtomicFile.WriteAllText(target, "first");
        using var child = StartWriter(target);
        string temporary;
        try
        {
            temporary = Assert.Single(Names(dir), n => n.EndsWith(".tmp", StringComparison.Ordinal));
            Assert.StartsWith($".model.safetensors.{child.Id}.", temporary);

            AtomicFile.WriteAllText(target, "second"); // a live writer's file is not touched
            Assert.Contains(temporary, Names(dir));
        }
        finally
        {
            child.Kill(); // SIGKILL: no cleanup runs in the child
            child.WaitForExit();
        }
        Assert.Contains(temporary, Names(dir));
        Assert.Equal("second", File.ReadAllText(target));

        AtomicFile.WriteAllText(target, "third");
        Assert.Equal(["model.safetensors"], Names(dir));
        Assert.Equal("third", File.ReadAllText(target));
    }

    [Fact]
    public void Only_this_target_s_temporaries_of_dead_unlocked_writers_are_removed()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/flock")) return;
        using var dir = new TempDirectory();
        int dead;
        using (var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!) { exited.WaitForExit(); dead = exited.Id; }
        string guid = Guid.NewGuid().ToString("N");
        string stale = $".model.safetensors.{dead}.{guid}.tmp", locked = $".model.safetensors.{dead}.{Guid.NewGuid():N}.tmp";
        string[] lookalikes = [$".other.safetensors.{dead}.{guid}.tmp", $".model.safetensors.x{dead}.{guid}.tmp", $".model.safetensors.{dead}.{guid[..31]}.tmp",
                               $"model.safetensors.{dead}.{guid}.tmp", $".model.safetensors.{dead}.{guid}.tmp.keep"];
        foreach (var name in lookalikes.Append(stale).Append(locked)) File.WriteAllText(dir.File(name), "x");
        // A live writer in another PID namespace looks dead by its number; its lock is what protects it.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--close", dir.File(locked), "sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            var watch = Stopwatch.StartNew();
            while (!IsLocked(dir.File(locked)) && watch.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(20);
            Assert.True(IsLocked(dir.File(locked)), "flock did not take its lock");

            AtomicFile.WriteAllText(dir.File("model.safetensors"), "new");
            Assert.Equal(lookalikes.Append(locked).Append("model.safetensors").Order(StringComparer.Ordinal), Names(dir));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
        AtomicFile.WriteAllText(dir.File("model.safetensors"), "newer");
        Assert.Equal(lookalikes.Append("model.safetensors").Order(StringComparer.Ordinal), Names(dir));
    }

    private static bool IsLocked(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException) { return true; }
    }
}
