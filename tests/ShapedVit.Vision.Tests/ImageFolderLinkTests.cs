using System.Runtime.InteropServices;
using ShapedVit.Testing;
using ShapedVit.Vision;

namespace ShapedVit.Vision.Tests;

/// <summary>
/// Image folders with symbolic links, hard links and names that are not UTF-8: the walk ends, lists each real file once per
/// class, never crosses into the root or another class, and refuses unreadable names before anything runs.
/// </summary>
public class ImageFolderLinkTests
{
    // Listing reads no pixels, so the "images" are empty files: what is checked is which files are listed.
    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "link")]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    /// <summary>libc's <c>realpath</c>: every link on the way resolved.</summary>
    private static string RealPath(string path)
    {
        IntPtr resolved = RealPathNative(path, IntPtr.Zero);
        Assert.True(resolved != IntPtr.Zero, $"realpath {path}: {Marshal.GetLastPInvokeError()}");
        try { return Marshal.PtrToStringUTF8(resolved)!; } finally { Free(resolved); }
    }

    /// <summary>
    /// The oracle, written independently of the walk: real paths (libc's <c>realpath</c>, hard links mapped to their
    /// original by <paramref name="hardLinks"/>) reachable from a class folder through any links, never through the root
    /// or another class folder, each real folder and file once.
    /// </summary>
    private static HashSet<string> Reachable(string root, string classFolder, IReadOnlyCollection<string> classFolders, Dictionary<string, string> hardLinks)
    {
        var closed = classFolders.Select(RealPath).Append(RealPath(root)).ToHashSet();
        var seen = new HashSet<string> { RealPath(classFolder) };
        var files = new HashSet<string>();
        var pending = new Queue<string>([RealPath(classFolder)]);
        while (pending.Count > 0)
            foreach (var entry in new DirectoryInfo(pending.Dequeue()).EnumerateFileSystemInfos())
            {
                if (Directory.Exists(entry.FullName))
                {
                    string real = RealPath(entry.FullName);
                    if (!closed.Contains(real) && seen.Add(real)) pending.Enqueue(real);
                }
                else if (File.Exists(entry.FullName) && entry.Name.EndsWith(".png", StringComparison.Ordinal))
                    files.Add(Canonical(entry.FullName, hardLinks));
            }
        return files;
    }

    private static string Canonical(string path, Dictionary<string, string> hardLinks)
    {
        string real = RealPath(path);
        return hardLinks.GetValueOrDefault(real, real);
    }

    [Fact]
    public void Random_trees_of_links_list_each_reachable_file_once_per_class_and_end()
    {
        if (!OperatingSystem.IsLinux()) return; // the oracle uses libc's realpath; symbolic links need privileges on Windows
        for (int trial = 0; trial < 40; trial++)
        {
            var random = new Random(trial);
            using var dir = new TempDirectory();
            int classCount = random.Next(1, 4);
            var classFolders = Enumerable.Range(0, classCount).Select(c => Path.Combine(dir.Path, $"class{c}")).ToList();
            var folders = new List<string>(classFolders);
            foreach (string c in classFolders) Touch(Path.Combine(c, "own.png")); // no class is empty
            var files = classFolders.Select(c => Path.Combine(c, "own.png")).ToList();
            for (int i = 0; i < random.Next(0, 8); i++)
            {
                string sub = Path.Combine(folders[random.Next(folders.Count)], $"sub{i}");
                Directory.CreateDirectory(sub);
                folders.Add(sub);
            }
            for (int i = 0; i < random.Next(0, 20); i++)
            {
                string file = Path.Combine(folders[random.Next(folders.Count)], $"f{i}.png");
                Touch(file);
                files.Add(file);
            }
            // Links from anywhere to: ".", "..", the root, any folder, any file; some relative, some absolute; some hard links.
            var everyFolder = folders.Append(dir.Path).ToList();
            var hardLinks = new Dictionary<string, string>();
            for (int i = 0; i < random.Next(1, 12); i++)
            {
                string at = folders[random.Next(folders.Count)];
                switch (random.Next(6))
                {
                    case 0: File.CreateSymbolicLink(Path.Combine(at, $"dot{i}"), "."); break;
                    case 1: File.CreateSymbolicLink(Path.Combine(at, $"up{i}"), ".."); break;
                    case 2: Directory.CreateSymbolicLink(Path.Combine(at, $"dir{i}"), everyFolder[random.Next(everyFolder.Count)]); break;
                    case 3: File.CreateSymbolicLink(Path.Combine(at, $"link{i}.png"), files[random.Next(files.Count)]); break;
                    case 4:
                        string original = files[random.Next(files.Count)], hard = Path.Combine(at, $"hard{i}.png");
                        Assert.Equal(0, Link(original, hard));
                        hardLinks[RealPath(hard)] = RealPath(original);
                        break;
                    default: File.CreateSymbolicLink(Path.Combine(at, $"loop{i}"), $"loop{i}"); break; // a link to itself
                }
            }

            var folder = new ImageFolder(dir.Path);
            for (int label = 0; label < classCount; label++)
            {
                var listed = folder.Samples.Where(s => s.Label == label).Select(s => Canonical(s.Path, hardLinks)).ToList();
                Assert.Equal(listed.Count, listed.Distinct().Count()); // each file once per class
                Assert.Equal(Reachable(dir.Path, classFolders[label], classFolders, hardLinks).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
            }
        }
    }

    [Fact]
    public void Two_links_to_dot_and_one_to_the_parent_add_nothing()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        for (int i = 0; i < 12; i++) Touch(Path.Combine(dir.Path, i < 6 ? "cat" : "dog", $"{i}.png"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "cat", "here"), ".");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "cat", "again"), ".");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "dog", "up"), "..");
        var folder = new ImageFolder(dir.Path);
        Assert.Equal(12, folder.Count);
        Assert.Equal([6, 6], folder.Samples.GroupBy(s => s.Label).Select(g => g.Count()));
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenBytes(byte[] path, int flags, int mode);

    [DllImport("libc", EntryPoint = "unlink")]
    private static extern int Unlink(byte[] path);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    [Fact]
    public void A_name_that_is_not_utf8_is_refused_when_the_folder_is_listed()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        Touch(Path.Combine(dir.Path, "cat", "good.png"));
        // "bad\xff.png": 0xFF is never valid UTF-8.
        byte[] name = [.. System.Text.Encoding.UTF8.GetBytes(Path.Combine(dir.Path, "cat", "bad")), 0xFF, .. ".png"u8, 0];
        int fd = OpenBytes(name, 0x41 /* O_WRONLY | O_CREAT */, 0x1A4 /* 0644 */);
        Assert.True(fd >= 0, $"open failed: {Marshal.GetLastPInvokeError()}");
        Close(fd);
        try
        {
            var e = Assert.Throws<IOException>(() => new ImageFolder(dir.Path));
            Assert.Equal($"{dir.Path}: the name of {Path.Combine(dir.Path, "cat", "bad\uFFFD.png")} is not valid UTF-8 (shown with U+FFFD) and cannot be opened: rename it (for example with convmv) or move it out of the folder.", e.Message);
        }
        finally { Unlink(name); } // .NET cannot delete what it cannot name
    }

    [Fact]
    public void A_folder_of_100000_files_with_links_to_itself_lists_each_file_once()
    {
        using var dir = new TempDirectory();
        for (int c = 0; c < 2; c++)
        {
            string classFolder = Path.Combine(dir.Path, $"class{c}");
            Directory.CreateDirectory(classFolder);
            for (int i = 0; i < 50_000; i++) File.WriteAllBytes(Path.Combine(classFolder, $"{i:D6}.png"), []);
            if (!OperatingSystem.IsWindows()) File.CreateSymbolicLink(Path.Combine(classFolder, "self"), ".");
        }
        var folder = new ImageFolder(dir.Path);
        Assert.Equal(100_000, folder.Count);
        Assert.Equal("class0/000000.png", Path.GetRelativePath(dir.Path, folder.Samples[0].Path).Replace('\\', '/'));
        Assert.Equal("class1/049999.png", Path.GetRelativePath(dir.Path, folder.Samples[^1].Path).Replace('\\', '/'));
    }
}
