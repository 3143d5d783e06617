using System.Runtime.InteropServices;

namespace ShapedVit.Vision;

/// <summary>
/// What kind of file a path names, asked before it is opened: opening a FIFO blocks until someone writes to it, and
/// reading a device such as <c>/dev/zero</c> never ends, so image readers refuse anything but regular files.
/// </summary>
internal static class FileKinds
{
    /// <summary>
    /// <see langword="null"/> for a regular file or a path that does not exist (the open that follows reports that);
    /// otherwise what the path is, in words ("a directory", "a character device", "a named pipe (FIFO)", ...).
    /// Symbolic links are followed.
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (Directory.Exists(path)) return "a directory";
        if (OperatingSystem.IsWindows()) return null;
        FileStatus status;
        try
        {
            if (Stat(path, out status) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // no stat on this runtime: the size limit still bounds the read
        }
        // .NET's own file status (System.Native's, the same on every Unix): the S_IF* file type bits of Mode.
        return (status.Mode & 0xF000) switch
        {
            0x8000 => null,
            0x4000 => "a directory",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x1000 => "a named pipe (FIFO)",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>The device and inode of what <paramref name="path"/> names (links followed); null when it cannot be read.</summary>
    internal static (long Device, long Inode)? DeviceAndInode(string path)
    {
        try
        {
            return Stat(path, out var status) == 0 ? (status.Dev, status.Ino) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>System.Native's FileStatus (src/native/libs/System.Native/pal_io.h), the struct .NET's FileInfo is built on.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
        public long ATime, ATimeNsec, MTime, MTimeNsec, CTime, CTimeNsec, BirthTime, BirthTimeNsec;
        public long Dev, RDev, Ino;
        public uint UserFlags;
        public long Spare0, Spare1, Spare2, Spare3; // room to spare should a runtime add fields at the end
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
}

/// <summary>
/// Which file or folder a path names, whatever the links on the way: device and inode on Unix, the final target's full
/// path elsewhere. Two paths with equal identities are the same file (a symbolic or hard link).
/// </summary>
internal readonly record struct FileIdentity(long Device, long Inode, string? Target)
{
    /// <summary>The identity of <paramref name="path"/>; null when it does not exist or cannot be read (a dangling link, a link loop).</summary>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsWindows())
            return FileKinds.DeviceAndInode(path) is { } id ? new FileIdentity(id.Device, id.Inode, null) : null;
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists) return null;
            return new FileIdentity(0, 0, (info.ResolveLinkTarget(returnFinalTarget: true) ?? info).FullName);
        }
        catch (IOException) { return null; }
    }
}
