using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ShapedVit.Onnx;

/// <summary>The points between the steps of writing an export's files, where tests inject a failure or a kill.</summary>
internal enum OnnxExportStep
{
    /// <summary>Orphaned temporary files of killed exports removed; nothing of this export written yet.</summary>
    Started,
    /// <summary>The temporary data file holds the first weight only.</summary>
    DataPartlyWritten,
    /// <summary>The temporary data file is complete and flushed to disk, under its temporary name.</summary>
    DataWritten,
    /// <summary>The data file has its final, content-derived name; no model file names it yet.</summary>
    DataRenamed,
    /// <summary>The temporary model file holds part of the model.</summary>
    ModelPartlyWritten,
    /// <summary>The temporary model file is complete and flushed to disk, under its temporary name.</summary>
    ModelWritten,
    /// <summary>The model file is renamed over the path: the commit point. Stale data files of earlier exports remain.</summary>
    ModelRenamed,
    /// <summary>Stale data files of earlier exports removed: the export is complete.</summary>
    StaleRemoved,
}

/// <summary>
/// Writes an export's model file and, for large models, its external-data file, so that the path always names either the
/// previous export or the new one, each complete with its own weights: a process killed at any point, or a write that
/// fails, never leaves a model file beside weights it was not written with.
/// <para>
/// The data file is named after its content (<c>MODEL.onnx.HASH.data</c>, HASH the first 16 hex digits of its SHA-256),
/// so a new export's data never replaces the data a previous model file reads (equal names mean equal bytes). It is
/// written to a temporary file, flushed, and renamed to that name; then the model file, naming it, is written the same way
/// and renamed over the path. That last rename is the single commit point. Afterwards, data files of earlier exports of
/// the same path are removed; temporary files left by killed exports are removed when the next export starts.
/// </para>
/// </summary>
internal static class OnnxExportFiles
{
    private const int HashHexDigits = 16;

    /// <summary>The committed files: the model, and the data file or null.</summary>
    public readonly record struct Written(string ModelPath, string? DataPath);

    /// <summary>
    /// Writes the pair. <paramref name="writeData"/> (null for inline weights) writes the weights and calls its callback
    /// after the first one; <paramref name="setDataLocation"/> then receives the data file's name, before
    /// <paramref name="writeModel"/> writes the model. Throws the underlying exception when anything before the commit
    /// fails, after removing what this export wrote; the previous export is then untouched.
    /// </summary>
    public static Written Write(string modelPath, Action<Stream, Action>? writeData, Action<string> setDataLocation,
                                Action<Stream> writeModel, Func<long> modelBytes, Func<Stream, Stream>? wrapStream, Action<OnnxExportStep>? afterStep)
    {
        string folder = Path.GetDirectoryName(modelPath)!;
        string name = Path.GetFileName(modelPath);
        Directory.CreateDirectory(folder);
        void Step(OnnxExportStep step) => afterStep?.Invoke(step);

        RemoveOrphanedTemporaries(folder, name);
        Step(OnnxExportStep.Started);

        string? dataTemporary = null, dataPath = null, modelTemporary = null;
        bool dataExisted = false;
        try
        {
            if (writeData is not null)
            {
                dataTemporary = TemporaryPath(folder, name + ".data");
                string hash;
                using (var file = new FileStream(dataTemporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    using var hashing = new HashingStream(Wrap(file, wrapStream));
                    writeData(hashing, () => { hashing.Flush(); Step(OnnxExportStep.DataPartlyWritten); });
                    hashing.Flush();
                    file.Flush(flushToDisk: true);
                    hash = hashing.HexHash(HashHexDigits);
                }
                Step(OnnxExportStep.DataWritten);
                dataPath = Path.Combine(folder, $"{name}.{hash}.data");
                // The same name means the same bytes: a previous export reading it reads what it was written with.
                dataExisted = File.Exists(dataPath);
                File.Move(dataTemporary, dataPath, overwrite: true);
                dataTemporary = null;
                Step(OnnxExportStep.DataRenamed);
                setDataLocation(Path.GetFileName(dataPath));
            }

            modelTemporary = TemporaryPath(folder, name);
            using (var file = new FileStream(modelTemporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var target = new StepAfterBytes(Wrap(file, wrapStream), Math.Max(1, modelBytes() / 2), () => Step(OnnxExportStep.ModelPartlyWritten));
                writeModel(target);
                target.Flush();
                file.Flush(flushToDisk: true);
            }
            Step(OnnxExportStep.ModelWritten);
            File.Move(modelTemporary, modelPath, overwrite: true); // the commit point: rename(2), atomic within the folder
            modelTemporary = null;
        }
        catch
        {
            TryDelete(dataTemporary);
            TryDelete(modelTemporary);
            if (dataPath is not null && !dataExisted) TryDelete(dataPath);
            throw;
        }

        // Committed: what follows is housekeeping. A failure here leaves stale data that the next export removes.
        try
        {
            Step(OnnxExportStep.ModelRenamed);
            RemoveStaleData(folder, name, dataPath);
            Step(OnnxExportStep.StaleRemoved);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException) { }
        return new Written(modelPath, dataPath);
    }

    /// <summary>A temporary file beside the target: <c>.NAME.PID.GUID.tmp</c> (the form <see cref="ShapedVit.IO.AtomicFile"/> uses).</summary>
    private static string TemporaryPath(string folder, string name) =>
        Path.Combine(folder, $".{name}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");

    private static Stream Wrap(Stream stream, Func<Stream, Stream>? wrapStream) => wrapStream?.Invoke(stream) ?? stream;

    /// <summary>
    /// Removes <c>.NAME.PID.GUID.tmp</c> and <c>.NAME.data.PID.GUID.tmp</c> files whose process no longer runs: what an
    /// export (or an earlier exporter's <c>AtomicFile</c>) killed while writing left behind. A live process's files,
    /// this one's included, are kept.
    /// </summary>
    private static void RemoveOrphanedTemporaries(string folder, string name)
    {
        var pattern = new Regex("^\\." + Regex.Escape(name) + "(\\.data)?\\.([0-9]{1,10})\\.[0-9a-f]{32}\\.tmp$", RegexOptions.CultureInvariant);
        foreach (string path in SafeEnumerate(folder, "." + name + "*"))
        {
            var match = pattern.Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !IsRunning(pid))
                TryDelete(path);
        }
    }

    /// <summary>Removes the data files of earlier exports of NAME: <c>NAME.HASH.data</c> other than <paramref name="current"/>, and <c>NAME.data</c>, which exporters before content-named data wrote.</summary>
    private static void RemoveStaleData(string folder, string name, string? current)
    {
        var pattern = new Regex("^" + Regex.Escape(name) + "(\\.[0-9a-f]{" + HashHexDigits + "})?\\.data$", RegexOptions.CultureInvariant);
        foreach (string path in SafeEnumerate(folder, name + ".*"))
            if (pattern.IsMatch(Path.GetFileName(path)) && !string.Equals(path, current, StringComparison.Ordinal))
                File.Delete(path);
    }

    /// <summary>The folder's files matching <paramref name="pattern"/>, hidden ones (a leading '.' on Unix) included.</summary>
    private static IEnumerable<string> SafeEnumerate(string folder, string pattern)
    {
        try { return Directory.GetFiles(folder, pattern, new EnumerationOptions { MatchType = MatchType.Simple, IgnoreInaccessible = true, AttributesToSkip = 0 }); }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException) { return []; }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }      // no such process
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Passes writes through and hashes them (SHA-256), so the data file is named after exactly the bytes written.</summary>
    private sealed class HashingStream(Stream inner) : WriteOnlyStream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            hash.AppendData(buffer);
        }

        public override void Flush() => inner.Flush();

        public string HexHash(int digits) => Convert.ToHexStringLower(hash.GetCurrentHash())[..digits];

        protected override void Dispose(bool disposing)
        {
            if (disposing) hash.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Passes writes through and calls <c>step</c> once, when <c>threshold</c> bytes have been written.</summary>
    private sealed class StepAfterBytes(Stream inner, long threshold, Action step) : WriteOnlyStream
    {
        private long written;
        private bool stepped;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            written += buffer.Length;
            if (!stepped && written >= threshold)
            {
                stepped = true;
                inner.Flush();
                step();
            }
        }

        public override void Flush() => inner.Flush();
    }

    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void WriteByte(byte value) => Write([value]);
    }
}
