using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using System.Diagnostics;
using ShapedVit.Samples.FashionMnist;
using ShapedVit.Testing;
using ShapedVit.Training;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// The trainer as a real child process, killed (SIGKILL) at seeded random moments while it trains and saves after every
/// epoch: the checkpoint left behind always loads, and --resume continues from it.
/// </summary>
[Collection(TrainingCollection.Name)]
public class KilledTrainerTests
{
    private static readonly string TrainerDll = Path.Combine(AppContext.BaseDirectory, "fashion-mnist.dll");

    private static Process Start(string outDir, bool resume)
    {
        // 64 images in one batch: an epoch is one step, so most of the child's time is spent saving, where kills matter.
        var arguments = new List<string> { TrainerDll, "--limit", "64", "--batch-size", "64", "--epochs", "100000", "--threads", "1",
                                           "--plain", "--out", outDir, "--seed", "3" };
        if (resume) arguments.Add("--resume");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int SavedEpochs(string statePath)
    {
        if (!File.Exists(statePath)) return -1;
        return TrainingCheckpoint.ReadState(statePath).CompletedEpochs; // any exception here fails the test: the file must always be whole
    }

    [Fact]
    public void A_trainer_killed_mid_save_leaves_a_checkpoint_that_loads_and_resumes()
    {
        Assert.True(File.Exists(TrainerDll), $"{TrainerDll} is built with the tests");
        using var dir = new TempDirectory();
        string statePath = dir.File("trainer-state.safetensors"), modelPath = dir.File("model.safetensors");
        var random = new Random(20261123);
        int lastEpochs = 0;
        for (int round = 0; round < 4; round++)
        {
            using var child = Start(dir.Path, resume: round > 0);
            try
            {
                // Wait for progress past what the last round saved (proves the resume continued).
                var deadline = Stopwatch.StartNew();
                while (SavedEpochs(statePath) <= lastEpochs && !child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
                Assert.False(child.HasExited, $"round {round}: the trainer exited early with code {(child.HasExited ? child.ExitCode : 0)}");
                // Then kill it while it is saving: a temporary file exists, or the state file's length changes under us. Rounds
                // alternate with a kill at a random moment, which also lands between the two files' writes.
                Thread.Sleep(random.Next(0, 50));
                long completeLength = new FileInfo(statePath).Length;
                var watch = Stopwatch.StartNew();
                if (round % 2 == 0)
                    while (watch.Elapsed < TimeSpan.FromSeconds(10) &&
                           !Directory.EnumerateFiles(dir.Path, "*.tmp").Any() && new FileInfo(statePath).Length == completeLength) { }
                else
                    Thread.Sleep(random.Next(0, 400));
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
            finally
            {
                if (!child.HasExited) { child.Kill(entireProcessTree: true); child.WaitForExit(); } // never leave a trainer running
            }

            // Whatever moment it died at, both files are whole: the state resumes and the model loads.
            int saved = SavedEpochs(statePath);
            Assert.True(saved > lastEpochs, $"round {round}: saved epochs {saved} after {lastEpochs}");
            var state = TrainingCheckpoint.ReadState(statePath);
            Assert.Equal(saved, state.CompletedEpochs);
            using (var model = new FashionVit())
                model.LoadSafetensors(modelPath);
            lastEpochs = saved;
        }
        Assert.True(lastEpochs >= 4, $"four kill-and-resume rounds each made progress: {lastEpochs} epochs saved");
    }
}
