using System.Runtime.InteropServices;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>What a path is, asked before it is opened (the check ShapedVit.Vision makes, which this tool cannot reference).</summary>
internal static class FileKind
{
    /// <summary>Null for a regular file or a missing path; otherwise what it is, in words. Symbolic links are followed.</summary>
    public static string? NotRegular(string path)
    {
        if (Directory.Exists(path)) return "a folder";
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            if (Stat(path, out var status) != 0) return null;
            return (status.Mode & 0xF000) switch
            {
                0x8000 => null,
                0x2000 => "a character device",
                0x6000 => "a block device",
                0x1000 => "a named pipe (FIFO)",
                0xC000 => "a socket",
                _ => "not a regular file",
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // no stat on this runtime: the size limit still bounds the read
        }
    }

    /// <summary>.NET's own System.Native FileStatus (src/native/libs/System.Native/pal_io.h), with room to spare.</summary>
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
        public long Spare0, Spare1, Spare2, Spare3;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
}
