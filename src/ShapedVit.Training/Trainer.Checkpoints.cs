using ShapedVit.Checkpoints;
using TorchSharp;

namespace ShapedVit.Training;

// Saving and resuming: the state file's format is TrainingCheckpoint's; this part decides what a run saves and when a
// saved run may continue here.
public sealed partial class Trainer
{
    /// <summary>
    /// Saves a checkpoint as two files, each written atomically (temporary file, flush, rename): <paramref name="statePath"/>,
    /// the whole resumable state in one <see cref="TrainingCheckpoint"/> file, then <paramref name="modelPath"/>, the weights
    /// alone with <paramref name="metadata"/> (and <see cref="TrainingCheckpoint.StepKey"/>, <see cref="TrainingCheckpoint.EpochKey"/>),
    /// for inference. Resuming reads only the state file, so a process killed at any moment, also between the two writes,
    /// leaves a complete state to continue from. A weight or optimizer tensor holding NaN or Inf is refused before either
    /// file is written (<see cref="CheckpointException"/>), so the last good files stay. After an epoch that stopped part-way
    /// (a <see cref="TrainingStoppedException"/>, a cancellation) nothing is saved either (<see cref="InvalidOperationException"/>):
    /// its weights belong to no completed epoch, so they would not resume exactly.
    /// </summary>
    public void SaveCheckpoint(string modelPath, string statePath, CheckpointMetadata? metadata = null)
    {
        if (epochUnfinished)
            throw new InvalidOperationException($"Epoch {State.CompletedEpochs + 1} stopped part-way: its weights belong to no completed epoch and would not " +
                                                "resume exactly, so nothing is saved; the files of the last completed epoch stay.");
        TrainingCheckpoint.Write(statePath, Architecture, State, model.state_dict(), optimizer.StateTensors(), Ema?.StateTensors() ?? []);

        metadata ??= new CheckpointMetadata();
        var extra = new Dictionary<string, string>(metadata.Extra, StringComparer.Ordinal)
        {
            [TrainingCheckpoint.StepKey] = State.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TrainingCheckpoint.EpochKey] = State.CompletedEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        model.SaveSafetensors(modelPath, metadata with { Architecture = Architecture, Extra = extra });
    }

    /// <summary>
    /// Restores weights, optimizer moments and training state from the state file written by <see cref="SaveCheckpoint"/>.
    /// A file of another architecture, data size, precision or options is a <see cref="CheckpointException"/>, and nothing changes.
    /// </summary>
    public void LoadCheckpoint(string statePath)
    {
        using var saved = TrainingCheckpoint.Read(statePath);
        ModelArchitecture.Require(statePath, saved.Metadata, Architecture);
        var state = saved.State;
        if (state.TrainImages != train.Count)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                $"the run was trained on {state.TrainImages} images, this one has {train.Count}: resume with the same data.", statePath);
        if (state.TrainTransform is not null && state.TrainTransform != train.Transform)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                $"the run was trained with the transform {state.TrainTransform.Description}; this one has {train.Transform.Description}: resume with the same.", statePath);
        if (state.Options.Precision != Options.Precision)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                $"the run was trained in {Describe(state.Options.Precision)} and this trainer trains in {Describe(Options.Precision)}: a run cannot switch " +
                $"precision (TrainerOptions.Precision) when it is resumed; resume in {Describe(state.Options.Precision)}, or start a new run.", statePath);
        if (state.Options != Options)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                "the run was saved with other training options: resume with the saved ones (see TrainingCheckpoint.ReadState).", statePath);
        // Both are checked before either is copied: the optimizer's moments first (its check has no side effects), then the
        // weights load all-or-nothing, then the moments are copied.
        optimizer.LoadState(saved.Optimizer, state.Step, statePath, validateOnly: true);
        Ema?.LoadState(saved.Ema, statePath, validateOnly: true);
        model.LoadTensors(saved.Model, statePath, saved.Metadata);
        optimizer.LoadState(saved.Optimizer, state.Step, statePath);
        Ema?.LoadState(saved.Ema, statePath);
        State = state;
    }

    private static string Describe(TrainingPrecision precision) => precision switch
    {
        TrainingPrecision.BFloat16 => "bfloat16",
        _ => "float32",
    };
}
