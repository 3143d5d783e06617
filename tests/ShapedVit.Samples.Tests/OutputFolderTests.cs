using ShapedVit.Samples.FashionMnist;
using ShapedVit.Testing;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// The output folder is checked before the first epoch. Tests run as root, where a read-only mode does not stop writes:
/// an unwritable folder is a path under a regular file (and /proc), and a full disk is the free-space seam.
/// </summary>
public class OutputFolderTests
{
    [Fact]
    public void A_folder_that_cannot_be_created_is_one_line_naming_it()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a-file");
        File.WriteAllText(file, "");
        string folder = Path.Combine(file, "runs");
        var e = Assert.Throws<IOException>(() => OutputFolder.Check(folder, 1));
        Assert.StartsWith($"--out {folder}: cannot write there (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_folder_where_files_cannot_be_written_is_refused()
    {
        if (!Directory.Exists("/proc/self")) return; // not Linux
        var e = Assert.Throws<IOException>(() => OutputFolder.Check("/proc/self", 1));
        Assert.StartsWith("--out /proc/self: cannot write there (", e.Message);
    }

    [Fact]
    public void A_folder_without_room_for_a_checkpoint_is_refused_and_one_with_room_passes()
    {
        using var dir = new TempDirectory();
        long needed = OutputFolder.CheckpointBytes(1_000_000); // 16 MB of tensors and 1 MiB
        Assert.Equal(17_048_576, needed);
        var e = Assert.Throws<IOException>(() => OutputFolder.Check(dir.Path, needed, _ => 5_000_000));
        Assert.Equal($"--out {dir.Path}: 5.0 MB free, a checkpoint needs 17.0 MB; free some space or choose another folder.", e.Message);
        OutputFolder.Check(dir.Path, needed, _ => needed);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path)); // the probe file is gone
    }

    [Fact]
    public void The_sample_reports_an_unwritable_out_before_training()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a-file");
        File.WriteAllText(file, "");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FashionMnistCommand.Run(["--out", Path.Combine(file, "runs"), "--plain", "--epochs", "1", "--limit", "32"], output, error);
        Assert.Equal(1, code);
        string line = Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"error: --out {Path.Combine(file, "runs")}: cannot write there", line);
        Assert.DoesNotContain("epoch 1", output.ToString()); // nothing was trained
    }
}
