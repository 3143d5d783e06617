// Makes chosen version-needed entries of an ELF64 shared library weak (VER_FLG_WEAK in .gnu.version_r),
// so the dynamic loader treats a missing symbol version as a warning instead of a fatal error.
//
// Why: TorchSharp's libLibTorchSharp.so is linked against GCC 13's libstdc++ and asks for GLIBCXX_3.4.32
// only for std::ios_base_library_init(), which no relocation uses. Debian 12 ships GCC 12's libstdc++
// (up to GLIBCXX_3.4.30), where the library then fails to load. Marking that one entry weak lets it load.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (the task class at the bottom) and,
// with SHAPEDVIT_ELF_PATCHER_ONLY defined, into the tests, which exercise the patching logic directly.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ShapedVit.Build
{
    public static class ElfVersionPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>One version-needed entry: which library provides it, its name, and whether it is weak.</summary>
        public sealed class VersionNeed
        {
            public VersionNeed(string file, string version, bool weak, long flagsOffset)
            {
                File = file; Version = version; Weak = weak; FlagsOffset = flagsOffset;
            }
            public string File { get; }
            public string Version { get; }
            public bool Weak { get; }
            internal long FlagsOffset { get; }
        }

        /// <summary>Lists the version-needed entries of an ELF64 little-endian file.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            var needs = new List<VersionNeed>();
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            long sectionHeaders = (long)ReadU64(elf, 0x28);
            int sectionHeaderSize = ReadU16(elf, 0x3A);
            int sectionCount = ReadU16(elf, 0x3C);
            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionHeaders + (long)i * sectionHeaderSize;
                Require(elf, header, 64);
                if (ReadU32(elf, header + 4) != ShtGnuVerneed) continue;

                long offset = (long)ReadU64(elf, header + 0x18);
                uint stringSection = ReadU32(elf, header + 0x28);
                uint entryCount = ReadU32(elf, header + 0x2C);
                long stringHeader = sectionHeaders + (long)stringSection * sectionHeaderSize;
                Require(elf, stringHeader, 64);
                long strings = (long)ReadU64(elf, stringHeader + 0x18);

                long need = offset;
                for (uint n = 0; n < entryCount; n++)
                {
                    Require(elf, need, 16);
                    int auxCount = ReadU16(elf, need + 2);
                    string file = ReadString(elf, strings + ReadU32(elf, need + 4));
                    long aux = need + ReadU32(elf, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        Require(elf, aux, 16);
                        ushort flags = ReadU16(elf, aux + 4);
                        string version = ReadString(elf, strings + ReadU32(elf, aux + 8));
                        needs.Add(new VersionNeed(file, version, (flags & VerFlagWeak) != 0, aux + 4));
                        uint nextAux = ReadU32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint nextNeed = ReadU32(elf, need + 12);
                    if (nextNeed == 0) break;
                    need += nextNeed;
                }
            }
            return needs;
        }

        /// <summary>Sets VER_FLG_WEAK on the named versions. Returns how many entries changed (0 when already weak).</summary>
        public static int MakeWeak(byte[] elf, ICollection<string> versions)
        {
            int changed = 0;
            foreach (var need in ReadVersionNeeds(elf))
            {
                if (need.Weak || !versions.Contains(need.Version)) continue;
                ushort flags = ReadU16(elf, need.FlagsOffset);
                flags |= VerFlagWeak;
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed++;
            }
            return changed;
        }

        /// <summary>True when a file (a libstdc++) defines the given symbol version string.</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            byte[] haystack = File.ReadAllBytes(libraryPath);
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                if (haystack[i] != needle[0]) continue;
                int k = 1;
                while (k < needle.Length && haystack[i + k] == needle[k]) k++;
                if (k == needle.Length && (i == 0 || haystack[i - 1] == 0)) return true;
            }
            return false;
        }

        /// <summary>The libstdc++ the dynamic loader would pick on common Linux layouts, or null.</summary>
        public static string FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (var candidate in candidates)
                if (File.Exists(candidate)) return candidate;
            return null;
        }

        /// <summary>
        /// Patches a library in place (through a temporary file and a rename, so a hard link into the NuGet cache
        /// is never written through). Returns the versions it made weak.
        /// </summary>
        public static List<string> PatchFile(string path, ICollection<string> versions)
        {
            byte[] elf = File.ReadAllBytes(path);
            var before = ReadVersionNeeds(elf);
            if (MakeWeak(elf, versions) == 0) return new List<string>();

            DateTime lastWrite = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".shapedvit-tmp";
            File.WriteAllBytes(temporary, elf);
            File.Replace(temporary, path, null); // a rename: the old inode (maybe the NuGet cache's) stays untouched
            File.SetLastWriteTimeUtc(path, lastWrite);

            var made = new List<string>();
            foreach (var need in before)
                if (!need.Weak && versions.Contains(need.Version)) made.Add(need.Version);
            return made;
        }

        private static void Require(byte[] elf, long offset, int length)
        {
            if (offset < 0 || offset + length > elf.Length) throw new InvalidDataException("ELF structure points outside the file");
        }

        private static ushort ReadU16(byte[] b, long o) { Require(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }
        private static uint ReadU32(byte[] b, long o) { Require(b, o, 4); return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24); }
        private static ulong ReadU64(byte[] b, long o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;

        private static string ReadString(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            Require(b, o, (int)(end - o));
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }
}

#if !SHAPEDVIT_ELF_PATCHER_ONLY
namespace ShapedVit.Build
{
    /// <summary>MSBuild task: makes the named GLIBCXX versions weak in the given libraries when the system lacks them.</summary>
    public sealed class MakeMissingGlibcxxVersionsWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; }

        [Microsoft.Build.Framework.Required]
        public string Versions { get; set; }

        public override bool Execute()
        {
            string libstdcxx = ElfVersionPatcher.FindSystemLibStdCxx();
            if (libstdcxx == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "ShapedVit: no system libstdc++ found; nothing to patch.");
                return true;
            }

            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var version in Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
                if (!ElfVersionPatcher.DefinesVersion(libstdcxx, version.Trim())) missing.Add(version.Trim());
            if (missing.Count == 0)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "ShapedVit: " + libstdcxx + " has " + Versions + "; nothing to patch.");
                return true;
            }

            foreach (var library in Libraries)
            {
                string path = library.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                try
                {
                    var made = ElfVersionPatcher.PatchFile(path, missing);
                    if (made.Count > 0)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                            "ShapedVit: " + libstdcxx + " lacks " + string.Join(", ", made) + "; marked weak in " + path + ".");
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning(null, "SVITBUILD001", null, path, 0, 0, 0, 0,
                        "ShapedVit could not patch {0} for this system's libstdc++ ({1}); TorchSharp may fail to load.", path, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
