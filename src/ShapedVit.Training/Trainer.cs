using System.Diagnostics;
using System.Text.Json;
using ShapedVit.Checkpoints;
using ShapedVit.Training.Data;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// Trains an image classifier (any <c>Module&lt;Tensor, Tensor&gt;</c> from [B, C, H, W] images to [B, classes] logits) with AdamW,
/// linear warmup and cosine decay, label smoothing, light augmentation and gradient clipping. Each epoch is a pure function
/// of (seed, epoch, weights, optimizer state), so a run resumed from a checkpoint continues exactly as if it had not stopped.
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Metadata key of the number of optimisation steps done when a checkpoint was saved.</summary>
    public const string StepKey = "shapedvit.step";
    /// <summary>Metadata key of the number of epochs done when a checkpoint was saved.</summary>
    public const string EpochKey = "shapedvit.epoch";

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly LabeledImages train;
    private readonly LabeledImages? test;
    private readonly Device device;
    private readonly AdamW optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly PatchDropout[] patchDropouts;
    private bool allPatchTokens;
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public Trainer(nn.Module<Tensor, Tensor> model, LabeledImages train, LabeledImages? test, TrainerOptions options, Device device, string architecture)
    {
        string? problem = options.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(options));
        this.model = model; this.train = train; this.test = test; this.device = device;
        Architecture = architecture;
        model.to(device);
        optimizer = new AdamW(model.named_parameters(), DecaysWeight, weightDecay: options.WeightDecay);
        StepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        schedule = new LearningRateSchedule(options.LearningRate, options.MinLearningRate,
                                            (long)Math.Round(options.WarmupEpochs * StepsPerEpoch), StepsPerEpoch * options.Epochs);
        State = new TrainingState { Options = options, TrainImages = train.Count };
        patchDropouts = model.modules().OfType<PatchDropout>().ToArray();
    }

    public string Architecture { get; }
    public TrainerOptions Options => State.Options;
    public TrainingState State { get; private set; }
    public int StepsPerEpoch { get; }
    public bool Finished => State.CompletedEpochs >= Options.Epochs;
    /// <summary>The test-set evaluation of the last epoch this trainer ran (null before its first).</summary>
    public Evaluation? LastEvaluation { get; private set; }

    /// <summary>Weight decay on matrices and kernels only: biases, norms, class/register tokens and position embeddings are left alone (as timm and DeiT do).</summary>
    public static bool DecaysWeight(string name, Parameter parameter) =>
        parameter.dim() >= 2 && !name.EndsWith("pos_embed", StringComparison.Ordinal) && !name.EndsWith("cls_token", StringComparison.Ordinal)
        && !name.EndsWith("reg_token", StringComparison.Ordinal);

    /// <summary>The seed of one epoch's shuffling, augmentation and dropout, derived from the run's seed.</summary>
    public static int EpochSeed(long seed, int epoch) => unchecked((int)(((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL) >> 33));

    /// <summary>Trains the next epoch, evaluates on the test set (when there is one) and returns the epoch's record.</summary>
    public EpochRecord RunEpoch(ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        if (Finished) throw new InvalidOperationException($"All {Options.Epochs} epochs are done.");
        int epoch = State.CompletedEpochs;
        int epochSeed = EpochSeed(Options.Seed, epoch);
        var rng = new Random(epochSeed);
        torch.manual_seed(epochSeed); // dropout and stochastic depth draw from torch's generator
        int[] order = ImageBatches.Shuffle(train.Count, rng);
        allPatchTokens = epoch >= Options.Epochs - Options.FullTokenEpochs;
        progress?.EpochStarted(epoch + 1, Options.Epochs, StepsPerEpoch);

        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0, step = State.Step;
        double learningRate = 0;
        for (int batch = 0; batch < StepsPerEpoch; batch++)
        {
            cancellation.ThrowIfCancellationRequested();
            int start = batch * Options.BatchSize, count = Math.Min(Options.BatchSize, train.Count - start);
            learningRate = schedule.At(step);
            using var scope = torch.NewDisposeScope();
            var (images, labels) = ImageBatches.Make(train, order.AsSpan(start, count), Options.Normalization, Options.Augmentation, rng);
            var (loss, batchCorrect) = TrainStep(images, labels, learningRate);
            step++;
            lossSum += loss * count; correct += batchCorrect; seen += count;
            progress?.BatchDone(new BatchReport(epoch + 1, Options.Epochs, batch + 1, StepsPerEpoch, lossSum / seen, (double)correct / seen,
                                                seen / clock.Elapsed.TotalSeconds, learningRate));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var evaluation = test is null ? null : Evaluate(test);
        LastEvaluation = evaluation;
        var record = new EpochRecord(epoch + 1, lossSum / seen, (double)correct / seen, evaluation?.Loss ?? double.NaN,
                                     evaluation?.Accuracy ?? double.NaN, learningRate, seconds, seen / seconds);
        State = State with { CompletedEpochs = epoch + 1, Step = step, History = [.. State.History, record] };
        progress?.EpochDone(record);
        return record;
    }

    /// <summary>One optimisation step on a batch (CPU or device tensors); returns the batch's mean loss and how many it got right.</summary>
    public (double Loss, long Correct) TrainStep(Tensor images, Tensor labels, double learningRate)
    {
        model.train();
        if (allPatchTokens) foreach (var patchDropout in patchDropouts) patchDropout.eval();
        using var scope = torch.NewDisposeScope();
        var x = images.to(device);
        var y = labels.to(device);
        var logits = model.forward(x);
        var loss = nn.functional.cross_entropy(logits, y, label_smoothing: Options.LabelSmoothing);
        optimizer.ZeroGrad();
        loss.backward();
        if (Options.GradientClipNorm > 0) nn.utils.clip_grad_norm_(optimizer.Parameters, Options.GradientClipNorm);
        optimizer.Update(learningRate);
        long correct;
        using (torch.no_grad()) correct = logits.argmax(1).eq(y).sum().item<long>();
        return (loss.item<float>(), correct);
    }

    /// <summary>Mean cross-entropy (no smoothing), accuracy and confusion matrix on <paramref name="data"/>, without augmentation.</summary>
    public Evaluation Evaluate(LabeledImages data) => Evaluate(model, data, Options.Normalization, Options.EvaluationBatchSize, device);

    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, LabeledImages data, PixelNormalization normalization, int batchSize, Device device)
    {
        model.eval();
        int classes = data.ClassNames.Count;
        var confusion = new long[classes, classes];
        double lossSum = 0;
        using var noGrad = torch.no_grad();
        var all = Enumerable.Range(0, data.Count).ToArray();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int count = Math.Min(batchSize, data.Count - start);
            var (images, labels) = ImageBatches.Make(data, all.AsSpan(start, count), normalization, AugmentationOptions.None, null);
            var logits = model.forward(images.to(device));
            lossSum += nn.functional.cross_entropy(logits, labels.to(device), reduction: nn.Reduction.Sum).item<float>();
            var predicted = logits.argmax(1).cpu().data<long>().ToArray();
            var truth = labels.data<long>().ToArray();
            for (int i = 0; i < count; i++) confusion[truth[i], predicted[i]]++;
        }
        return new Evaluation(data.Count == 0 ? double.NaN : lossSum / data.Count, confusion, data.ClassNames);
    }

    /// <summary>
    /// Saves a checkpoint as two files through <see cref="ShapedVit.Checkpoints"/>, each written atomically (temporary file,
    /// flush, rename). <paramref name="statePath"/> is the whole resumable state in one file: weights (under
    /// <c>model/</c>), optimizer moments (under <c>optimizer/</c>) and the training state (metadata
    /// <see cref="CheckpointMetadataKeys.TrainingState"/>). <paramref name="modelPath"/> holds the weights alone, with
    /// <paramref name="metadata"/>, for inference. Resuming reads only the state file, so a process killed at any moment,
    /// also between the two writes, leaves a complete state to continue from.
    /// </summary>
    public void SaveCheckpoint(string modelPath, string statePath, CheckpointMetadata? metadata = null)
    {
        var progress = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CheckpointMetadataKeys.Architecture] = Architecture,
            [StepKey] = State.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [EpochKey] = State.CompletedEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var stateMetadata = new Dictionary<string, string>(progress, StringComparer.Ordinal) { [CheckpointMetadataKeys.TrainingState] = JsonSerializer.Serialize(State, Json) };
        var weights = model.state_dict().Select(kv => KeyValuePair.Create(CheckpointMetadataKeys.StateModelPrefix + kv.Key, kv.Value));
        var moments = optimizer.StateTensors().Select(t => KeyValuePair.Create(CheckpointMetadataKeys.StateOptimizerPrefix + t.Name, t.Tensor));
        Safetensors.Write(statePath, weights.Concat(moments), stateMetadata);

        metadata ??= new CheckpointMetadata();
        var extra = new Dictionary<string, string>(metadata.Extra, StringComparer.Ordinal);
        foreach (var (key, value) in progress) if (key != CheckpointMetadataKeys.Architecture) extra[key] = value;
        model.SaveSafetensors(modelPath, metadata with { Architecture = Architecture, Extra = extra });
    }

    /// <summary>
    /// Restores weights, optimizer moments and training state from the state file written by <see cref="SaveCheckpoint"/>.
    /// A file of another architecture, data size or options is a <see cref="CheckpointException"/>, and nothing changes.
    /// </summary>
    public void LoadCheckpoint(string statePath)
    {
        using var saved = Safetensors.ReadAll(statePath);
        RequireArchitecture(statePath, saved.Metadata, Architecture);
        var state = ParseState(saved.Metadata, statePath);
        if (state.TrainImages != train.Count)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                $"the run was trained on {state.TrainImages} images, this one has {train.Count}: resume with the same data.", statePath);
        if (state.Options != Options)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                "the run was saved with other training options: resume with the saved ones (see Trainer.ReadState).", statePath);
        var weights = Section(saved.Tensors, CheckpointMetadataKeys.StateModelPrefix);
        var moments = Section(saved.Tensors, CheckpointMetadataKeys.StateOptimizerPrefix);
        // Both are checked before either is copied: the optimizer's moments first (its check has no side effects), then the
        // weights load all-or-nothing, then the moments are copied.
        optimizer.LoadState(moments, state.Step, statePath, validateOnly: true);
        model.LoadTensors(weights, statePath, saved.Metadata, fromTrainingState: true);
        optimizer.LoadState(moments, state.Step, statePath);
        State = state;
    }

    private static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>The training state saved in a state file (to build a trainer with the saved options before resuming); reads the header only.</summary>
    public static TrainingState ReadState(string statePath) => ParseState(Safetensors.ReadHeader(statePath).Metadata, statePath);

    private static TrainingState ParseState(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.TryGetValue(CheckpointMetadataKeys.TrainingState, out var json))
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null, "the file holds no training state: it is not a trainer's state file.", path);
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(json, Json)
                   ?? throw new CheckpointException(CheckpointRule.MetadataMalformed, null, "the training state is empty.", path);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointRule.MetadataMalformed, null, $"the training state is unreadable ({e.Message}).", path, e);
        }
    }

    /// <summary>Refuses a checkpoint written for another architecture, naming both (<see cref="CheckpointRule.ArchitectureMismatch"/>).</summary>
    public static void RequireArchitecture(string path, IReadOnlyDictionary<string, string> metadata, string architecture)
    {
        string found = metadata.GetValueOrDefault(CheckpointMetadataKeys.Architecture) ?? "(none recorded)";
        if (found != architecture)
            throw new CheckpointException(CheckpointRule.ArchitectureMismatch, null, $"the file holds architecture '{found}', not '{architecture}'.", path);
    }

    public void Dispose() => optimizer.Dispose();
}
