using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace ShapedVit.Tests.Infrastructure;

/// <summary>
/// Snapshot testing in Verify's file conventions (<c>{Class}.{Method}_{Parameter}.verified.{ext}</c> beside the test,
/// <c>.received.</c> on a mismatch). The Verify package that Verify.Xunit needs is not on this project's NuGet mirror,
/// so this is the small part of it we use. Accept new snapshots with SHAPEDVIT_ACCEPT_SNAPSHOTS=1.
/// </summary>
public static class Snapshot
{
    /// <summary>Compares text with its verified snapshot; the generator version is scrubbed so releases do not churn snapshots.</summary>
    public static void Verify(string actual, string? parameter = null, string extension = "txt",
                              [CallerFilePath] string sourceFile = "", [CallerMemberName] string method = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(sourceFile)!, "Snapshots");
        string name = $"{Path.GetFileNameWithoutExtension(sourceFile)}.{method}{(parameter is null ? "" : "_" + parameter)}";
        string verifiedPath = Path.Combine(directory, $"{name}.verified.{extension}");
        string receivedPath = Path.Combine(directory, $"{name}.received.{extension}");
        string scrubbed = Scrub(actual);

        if (File.Exists(verifiedPath) && Normalize(File.ReadAllText(verifiedPath)) == Normalize(scrubbed))
        {
            File.Delete(receivedPath);
            return;
        }
        Directory.CreateDirectory(directory);
        if (Environment.GetEnvironmentVariable("SHAPEDVIT_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verifiedPath, scrubbed);
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, scrubbed);
        throw new XunitException(File.Exists(verifiedPath)
            ? $"Snapshot mismatch for {name}: compare {receivedPath} with {verifiedPath}.\n{FirstDifference(File.ReadAllText(verifiedPath), scrubbed)}"
            : $"No verified snapshot for {name}: review {receivedPath} and rename it to .verified.{extension} (or run with SHAPEDVIT_ACCEPT_SNAPSHOTS=1).");
    }

    /// <summary>Replaces assembly versions ("1.2.3.4", "0.1.0") in GeneratedCode attributes with a placeholder.</summary>
    public static string Scrub(string text) =>
        Regex.Replace(text, @"(GeneratedCode\(""[^""]+"", "")[^""]+(""\))", "$1{version}$2");

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd();

    private static string FirstDifference(string expected, string actual)
    {
        var e = Normalize(expected).Split('\n');
        var a = Normalize(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end>", al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}:\n  verified: {el}\n  received: {al}";
        }
        return "";
    }
}
