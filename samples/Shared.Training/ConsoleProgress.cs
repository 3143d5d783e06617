using ShapedVit.Training;
using Spectre.Console;

namespace ShapedVit.Samples.Shared;

/// <summary>Plain progress lines: for CI, pipes and files (no terminal), a few lines per epoch.</summary>
public sealed class PlainProgress(TextWriter output, string evaluatedOn, int linesPerEpoch = 4) : ITrainingProgress
{
    public void EpochStarted(int epoch, int epochs, int batches) { }

    public void BatchDone(BatchReport r)
    {
        int every = Math.Max(1, r.Batches / linesPerEpoch);
        if (r.Batch % every == 0 && r.Batch != r.Batches)
            output.WriteLine($"epoch {r.Epoch}/{r.Epochs} batch {r.Batch}/{r.Batches}  loss {r.Loss:F4}  acc {r.Accuracy:P1}  {r.ImagesPerSecond:F0} img/s  lr {r.LearningRate:G3}");
    }

    public void EpochDone(EpochRecord r) => output.WriteLine(TrainingConsole.Describe(r, evaluatedOn));
}

/// <summary>Live Spectre.Console progress bars (one per epoch) with loss, accuracy and images/s; for a terminal.</summary>
public sealed class SpectreProgress(ProgressContext context, string evaluatedOn) : ITrainingProgress
{
    private ProgressTask? task;

    public void EpochStarted(int epoch, int epochs, int batches) =>
        task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: batches);

    public void BatchDone(BatchReport r)
    {
        if (task is null) return;
        task.Value = r.Batch;
        task.Description = $"epoch {r.Epoch}/{r.Epochs}  loss {r.Loss:F4}  acc {r.Accuracy * 100:F1}%  {r.ImagesPerSecond:F0} img/s";
    }

    public void EpochDone(EpochRecord r)
    {
        if (task is null) return;
        task.Description = Markup.Escape(TrainingConsole.Describe(r, evaluatedOn));
        task.StopTask();
    }
}
