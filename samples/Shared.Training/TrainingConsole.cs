using ShapedVit.Checkpoints;
using System.Globalization;
using ShapedVit.Training;
using Spectre.Console;

namespace ShapedVit.Samples.Shared;

/// <summary>What the training samples show on the console: live progress bars (or plain lines), epoch lines, a confusion matrix.</summary>
public static class TrainingConsole
{
    /// <summary>One line per finished epoch; <paramref name="evaluatedOn"/> names the images of the epoch's evaluation ("test", "validation").</summary>
    public static string Describe(EpochRecord r, string evaluatedOn) =>
        $"epoch {r.Epoch}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P2} | " +
        (double.IsNaN(r.TestLoss) ? "no evaluation" : $"{evaluatedOn} loss {r.TestLoss:F4} acc {r.TestAccuracy:P2}") +
        $" | {r.ImagesPerSecond:F0} img/s, {r.Seconds:F0} s";

    /// <summary>
    /// The run's training time and throughput: all images trained on over all seconds of training (not the mean of the
    /// epochs' rates, which overstates it when epochs differ in speed).
    /// </summary>
    public static string Throughput(IReadOnlyList<EpochRecord> history)
    {
        double seconds = history.Sum(r => r.Seconds), images = history.Sum(r => r.ImagesPerSecond * r.Seconds);
        return $"training {seconds / 60:F1} min over {history.Count} epochs ({Math.Round(images):F0} images in {seconds:F0} s: {(seconds > 0 ? images / seconds : 0):F0} img/s)";
    }

    /// <summary>Whether to draw live bars: a terminal that takes colour (no NO_COLOR), not asked for plain lines.</summary>
    public static bool IsLive(TextWriter output, bool plain) =>
        !plain && SampleCommandLine.UseColour(output) && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs the trainer's remaining epochs, calling <paramref name="afterEpoch"/> after each (to save);
    /// <paramref name="evaluatedOn"/> names the images each epoch is evaluated on.
    /// </summary>
    public static void Train(Trainer trainer, Action afterEpoch, TextWriter output, bool plain, string evaluatedOn)
    {
        if (IsLive(output, plain))
        {
            AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var progress = new SpectreProgress(context, evaluatedOn);
                    while (!trainer.Finished) { trainer.RunEpoch(progress); afterEpoch(); }
                });
        }
        else
        {
            var progress = new PlainProgress(output, evaluatedOn);
            while (!trainer.Finished) { trainer.RunEpoch(progress); afterEpoch(); }
        }
    }

    /// <summary>A console on <paramref name="output"/>: colours and width from the terminal when it is one, plain text otherwise.</summary>
    public static IAnsiConsole CreateConsole(TextWriter output, bool plain)
    {
        bool terminal = SampleCommandLine.UseColour(output) && !plain;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 140; // no terminal to ask: wide enough for a 10-class matrix
        return console;
    }
}
