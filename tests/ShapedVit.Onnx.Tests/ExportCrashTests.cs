using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// An export with external data over a previous one, failed or killed (SIGKILL, in a child process) after each step of
/// writing its files: the path then loads in ONNX Runtime as the previous pair or the new pair, each with its own
/// weights' outputs, never a model file beside weights it was not written with; the next export removes what was left.
/// </summary>
public class ExportCrashTests(ITestOutputHelper output)
{
    private const string GenerationKey = "test.generation";
    private const string ModelFile = "model.onnx";

    /// <summary>The steps before the model file's rename: an export stopped there leaves the previous pair.</summary>
    private static readonly OnnxExportStep[] BeforeCommit =
    [
        OnnxExportStep.Started, OnnxExportStep.DataPartlyWritten, OnnxExportStep.DataWritten, OnnxExportStep.DataRenamed,
        OnnxExportStep.ModelPartlyWritten, OnnxExportStep.ModelWritten,
    ];

    public static TheoryData<string> Steps() => new(Enum.GetNames<OnnxExportStep>());

    /// <summary>Two models of one architecture with different weights: "old" is exported first, "new" over it.</summary>
    public static IVisionTransformer Generation(string generation)
    {
        var vit = new TorchvisionMicro(seed: generation == "old" ? 1 : 2);
        TestSupport.Perturb((nn.Module)vit, seed: generation == "old" ? 7 : 8);
        ((nn.Module)vit).eval();
        return vit;
    }

    internal static OnnxExportOptions Options(string generation, Action<OnnxExportStep>? afterStep = null) => new()
    {
        ExternalDataThreshold = 0,
        Metadata = new Dictionary<string, string> { [GenerationKey] = generation },
        AfterStepForTests = afterStep,
    };

    private static readonly long[] Shape = [2, 3, 32, 32];

    private static float[] Images()
    {
        using var images = TestSupport.Images(2, 3, 32, 32, seed: 5);
        return TestSupport.Values(images);
    }

    /// <summary>Each generation's logits on <see cref="Images"/>, from the TorchSharp model.</summary>
    private static Dictionary<string, float[]> ExpectedLogits()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var images = torch.tensor(Images(), Shape);
        return new[] { "old", "new" }.ToDictionary(g => g, g => TestSupport.Values(((nn.Module<Tensor, Tensor>)Generation(g)).forward(images)));
    }

    /// <summary>
    /// The oracle: the model file at <paramref name="path"/> loads in ONNX Runtime, and its outputs are those of the
    /// weights of the generation its metadata names. Returns that generation.
    /// </summary>
    public static string LoadedGeneration(string path, Dictionary<string, float[]> expected)
    {
        using var session = Ort.Session(path);
        string generation = session.ModelMetadata.CustomMetadataMap[GenerationKey];
        var logits = Ort.Run(session, Images(), Shape)["logits"];
        double difference = TestSupport.MaxAbsDiff(expected[generation], logits);
        if (difference > ParityTests.Tolerance)
            throw new XunitException($"The {generation} model file does not compute its own weights' outputs (max difference {difference:G3}): a mixed pair.");
        return generation;
    }

    private static string DataFile(TempFolder folder) => Assert.Single(folder.Files(), f => f.EndsWith(".data", StringComparison.Ordinal));

    [Theory, MemberData(nameof(Steps))]
    public void A_failure_after_any_step_leaves_the_previous_pair_or_the_new_one(string stepName)
    {
        var step = Enum.Parse<OnnxExportStep>(stepName);
        using var scope = NewDisposeScope();
        var expected = ExpectedLogits();
        using var folder = new TempFolder();
        string path = folder.File(ModelFile);
        Generation("old").ExportOnnx(path, Options("old"));
        string[] previous = folder.Files();

        var options = Options("new", s => { if (s == step) throw new IOException($"injected failure after {s}"); });
        if (BeforeCommit.Contains(step))
        {
            var error = Assert.Throws<OnnxExportException>(() => Generation("new").ExportOnnx(path, options));
            Assert.Equal($"Could not write {path}: injected failure after {step}; nothing was written.", error.Message);
            Assert.Equal(previous, folder.Files()); // nothing of the new export is left
            Assert.Equal("old", LoadedGeneration(path, expected));
        }
        else
        {
            var result = Generation("new").ExportOnnx(path, options); // committed: housekeeping failures are not export failures
            Assert.Equal("new", LoadedGeneration(path, expected));
            Assert.Contains(Path.GetFileName(result.ExternalDataPath!), folder.Files());
        }

        var final = Generation("new").ExportOnnx(path, Options("new"));
        Assert.Equal([ModelFile, Path.GetFileName(final.ExternalDataPath!)], folder.Files());
        Assert.Equal("new", LoadedGeneration(path, expected));
    }

    [Theory, MemberData(nameof(Steps))]
    public void A_process_killed_after_any_step_leaves_the_previous_pair_or_the_new_one(string stepName)
    {
        var step = Enum.Parse<OnnxExportStep>(stepName);
        using var scope = NewDisposeScope();
        var expected = ExpectedLogits();
        using var folder = new TempFolder();
        string path = folder.File(ModelFile);
        Generation("old").ExportOnnx(path, Options("old"));
        string oldData = DataFile(folder);

        KillExportAfter(step, path);
        string[] left = folder.Files();
        output.WriteLine($"killed after {step}: {string.Join(", ", left)}");
        Assert.Equal(BeforeCommit.Contains(step) ? "old" : "new", LoadedGeneration(path, expected));
        if (step is OnnxExportStep.DataPartlyWritten or OnnxExportStep.DataWritten)
            Assert.Contains(left, f => f.StartsWith($".{ModelFile}.data.", StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal));
        if (step is OnnxExportStep.ModelPartlyWritten or OnnxExportStep.ModelWritten)
            Assert.Contains(left, f => f.StartsWith($".{ModelFile}.", StringComparison.Ordinal) && !f.StartsWith($".{ModelFile}.data.", StringComparison.Ordinal));
        if (step is OnnxExportStep.ModelRenamed) Assert.Contains(oldData, left); // killed before the stale data went

        // The next export removes the killed one's temporary files and the stale data.
        var final = Generation("new").ExportOnnx(path, Options("new"));
        Assert.Equal([ModelFile, Path.GetFileName(final.ExternalDataPath!)], folder.Files());
        Assert.Equal("new", LoadedGeneration(path, expected));
    }

    [Fact]
    public void Exporting_the_same_weights_again_keeps_the_data_file_the_previous_model_reads_when_it_fails()
    {
        using var scope = NewDisposeScope();
        var expected = ExpectedLogits();
        using var folder = new TempFolder();
        string path = folder.File(ModelFile);
        var first = Generation("old").ExportOnnx(path, Options("old"));
        var options = Options("old", s => { if (s == OnnxExportStep.ModelWritten) throw new IOException("injected failure"); });
        Assert.Throws<OnnxExportException>(() => Generation("old").ExportOnnx(path, options));
        Assert.Equal([ModelFile, Path.GetFileName(first.ExternalDataPath!)], folder.Files());
        Assert.Equal("old", LoadedGeneration(path, expected));
    }

    [Fact]
    public void The_data_file_of_an_exporter_that_named_it_model_onnx_data_is_removed_after_the_commit()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        string path = folder.File(ModelFile);
        File.WriteAllText(path + ".data", "weights an earlier exporter wrote");
        var result = Generation("new").ExportOnnx(path, Options("new"));
        Assert.Matches("^model\\.onnx\\.[0-9a-f]{16}\\.data$", Path.GetFileName(result.ExternalDataPath!));
        Assert.Equal([ModelFile, Path.GetFileName(result.ExternalDataPath!)], folder.Files());
    }

    [Fact]
    public void The_oracle_catches_an_old_model_file_beside_new_weights()
    {
        using var scope = NewDisposeScope();
        var expected = ExpectedLogits();
        using var oldFolder = new TempFolder();
        using var newFolder = new TempFolder();
        Generation("old").ExportOnnx(oldFolder.File(ModelFile), Options("old"));
        Generation("new").ExportOnnx(newFolder.File(ModelFile), Options("new"));
        Assert.Equal("old", LoadedGeneration(oldFolder.File(ModelFile), expected));

        // What the earlier exporter left after a kill between its two renames: the old model file, the new weights.
        File.Copy(newFolder.File(DataFile(newFolder)), oldFolder.File(DataFile(oldFolder)), overwrite: true);
        var error = Assert.Throws<XunitException>(() => LoadedGeneration(oldFolder.File(ModelFile), expected));
        output.WriteLine(error.Message);
        Assert.StartsWith("The old model file does not compute its own weights' outputs", error.Message);
    }

    /// <summary>Runs the export of the new model in a child process, which stops after <paramref name="step"/>; kills it there with SIGKILL.</summary>
    private void KillExportAfter(OnnxExportStep step, string path)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ExportCrashTests).Assembly.Location);
        start.ArgumentList.Add(CrashChild.Command);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(step.ToString());
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromMinutes(3)) || line.Result != CrashChild.Stopped(step))
        {
            process.Kill();
            Assert.Fail($"The child export did not stop after {step}: '{line.Result}' {stderr.Result}");
        }
        process.Kill(); // SIGKILL on Unix: no handler, no finally block runs
        process.WaitForExit();
        output.WriteLine($"child {process.Id} killed after {step} (exit code {process.ExitCode})");
    }
}

/// <summary>
/// The test assembly's entry point, for <see cref="ExportCrashTests"/>'s child process: <c>dotnet ShapedVit.Onnx.Tests.dll
/// export-and-stop PATH STEP</c> exports the "new" model to PATH, prints a line after STEP and waits there to be killed.
/// </summary>
internal static class CrashChild
{
    public const string Command = "export-and-stop";

    public static string Stopped(OnnxExportStep step) => $"stopped after {step}";

    public static int Main(string[] args)
    {
        if (args.Length != 3 || args[0] != Command)
        {
            Console.Error.WriteLine($"usage: dotnet ShapedVit.Onnx.Tests.dll {Command} PATH STEP (the tests run this; run the tests with dotnet test)");
            return 2;
        }
        var step = Enum.Parse<OnnxExportStep>(args[2]);
        ExportCrashTests.Generation("new").ExportOnnx(args[1], ExportCrashTests.Options("new", s =>
        {
            if (s != step) return;
            Console.WriteLine(Stopped(step));
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }));
        return 1; // not reached: the parent kills this process at the step
    }
}
