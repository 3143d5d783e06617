using System.Diagnostics;
using System.Text.Json;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// Trains an image classifier (any <c>Module&lt;Tensor, Tensor&gt;</c> from [B, C, H, W] images to [B, classes] logits, generated
/// or not) on any <see cref="IImageDataset"/>, with AdamW (or the optimizer an <see cref="OptimizerFactory"/> makes), timm's
/// parameter groups (no weight decay for norms, biases and tokens; optional layer-wise learning-rate decay), linear warmup
/// and cosine decay, label smoothing, optional Mixup/CutMix, gradient accumulation and clipping, an optional EMA of the
/// weights, and an optional linear probe (everything but the head frozen). Each epoch is a pure function of (seed, epoch,
/// weights, optimizer state), so a run resumed from a checkpoint continues exactly as if it had not stopped, also when
/// given more epochs (<see cref="ExtendEpochs"/>).
/// </summary>
public sealed class Trainer : IDisposable
{
    /// <summary>Metadata key of the number of optimisation steps done when a checkpoint was saved.</summary>
    public const string StepKey = "shapedvit.step";
    /// <summary>Metadata key of the number of epochs done when a checkpoint was saved.</summary>
    public const string EpochKey = "shapedvit.epoch";
    /// <summary>Prefix of the EMA weights in the state file (when the run keeps an EMA).</summary>
    public const string StateEmaPrefix = "ema/";

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IImageDataset train;
    private readonly IImageDataset? test;
    private readonly Device device;
    private readonly ITrainerOptimizer optimizer;
    private LearningRateSchedule schedule;
    private readonly PatchDropout[] patchDropouts;
    private readonly BFloat16Compute? compute; // TrainingPrecision.BFloat16: the copy the steps run in
    private bool allPatchTokens;
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Prepares a run: freezes for a linear probe when asked, builds the bfloat16 copy for <see cref="TrainingPrecision.BFloat16"/>, groups the parameters, makes the optimizer and the EMA.</summary>
    /// <param name="model">The classifier, moved to <paramref name="device"/>.</param>
    /// <param name="train">The training data with its (random) transform.</param>
    /// <param name="test">Evaluated after each epoch, when given (its transform should be the evaluation one).</param>
    /// <param name="options">The run's hyper-parameters.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="architecture">The architecture key saved with checkpoints (see <see cref="ModelArchitecture.Describe"/>).</param>
    /// <param name="optimizer">Makes the optimizer from the parameter groups; null: <see cref="AdamW"/>.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, IImageDataset train, IImageDataset? test, TrainerOptions options, Device device, string architecture,
                   OptimizerFactory? optimizer = null)
    {
        string? problem = options.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(options));
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        this.model = model; this.train = train; this.test = test; this.device = device;
        Architecture = architecture;
        model.to(device);
        if (options.LinearProbe) ParameterGroups.FreezeAllBut(model, options.Classifier);
        if (options.Precision == TrainingPrecision.BFloat16) compute = BFloat16Compute.Create(model, device); // before anything to dispose, as it can refuse
        Groups = ParameterGroups.Create(model, options.WeightDecay, options.LayerDecay);
        this.optimizer = optimizer?.Invoke(Groups) ?? new AdamW(Groups);
        if (options.EmaDecay > 0) Ema = new ModelEma(model, options.EmaDecay);
        StepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        State = new TrainingState { Options = options, TrainImages = train.Count, TrainTransform = train.Transform };
        schedule = Schedule(options);
        patchDropouts = model.modules().OfType<PatchDropout>().ToArray();
    }

    /// <summary>The architecture key saved with checkpoints and checked when one is loaded.</summary>
    public string Architecture { get; }
    /// <summary>The run's hyper-parameters (those of <see cref="State"/>).</summary>
    public TrainerOptions Options => State.Options;
    /// <summary>Where the run stands: completed epochs, step, options and history.</summary>
    public TrainingState State { get; private set; }
    /// <summary>Batches per epoch: the training set size divided by the batch size, rounded up.</summary>
    public int StepsPerEpoch { get; }
    /// <summary>Whether every epoch of <see cref="TrainerOptions.Epochs"/> is done.</summary>
    public bool Finished => State.CompletedEpochs >= Options.Epochs;
    /// <summary>The test-set evaluation of the last epoch this trainer ran (null before its first).</summary>
    public Evaluation? LastEvaluation { get; private set; }
    /// <summary>The parameter groups given to the optimizer (trainable parameters only).</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }
    /// <summary>The optimizer.</summary>
    public ITrainerOptimizer Optimizer => optimizer;
    /// <summary>The EMA of the weights, updated after every optimizer step (null unless <see cref="TrainerOptions.EmaDecay"/> is set).</summary>
    public ModelEma? Ema { get; }

    private LearningRateSchedule Schedule(TrainerOptions options) =>
        new(options.LearningRate, options.MinLearningRate, (long)Math.Round(options.WarmupEpochs * StepsPerEpoch), (long)StepsPerEpoch * options.Epochs);

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (before each group's scale).</summary>
    public double LearningRateAt(long step) => schedule.At(step);

    /// <summary>
    /// Continues a run for more epochs (for example after <see cref="LoadCheckpoint"/> of a finished run): the epoch count
    /// becomes <paramref name="epochs"/> and the cosine schedule's horizon moves with it, from the next step on (timm's
    /// behaviour when resumed with a larger <c>--epochs</c>); the epochs already done are not replayed. With a schedule that
    /// does not depend on the horizon (no decay: <see cref="TrainerOptions.MinLearningRate"/> = the learning rate) the result
    /// equals one run of <paramref name="epochs"/> epochs. A checkpoint saved afterwards records the new count.
    /// </summary>
    public void ExtendEpochs(int epochs)
    {
        if (epochs < Options.Epochs)
            throw new ArgumentOutOfRangeException(nameof(epochs), $"A run of {Options.Epochs} epochs cannot be shortened to {epochs}.");
        var options = Options with { Epochs = epochs };
        string? problem = options.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(epochs));
        State = State with { Options = options };
        schedule = Schedule(options);
    }

    /// <summary>Weight decay on matrices and kernels only: biases, norms, class/register tokens and position embeddings are left alone (as timm and DeiT do). By name; <see cref="ParameterGroups.NoWeightDecay"/> decides by kind and is what the trainer uses.</summary>
    public static bool DecaysWeight(string name, Parameter parameter) =>
        parameter.dim() >= 2 && !name.EndsWith("pos_embed", StringComparison.Ordinal) && !name.EndsWith("cls_token", StringComparison.Ordinal)
        && !name.EndsWith("reg_token", StringComparison.Ordinal);

    /// <summary>The seed of one epoch's shuffling, augmentation and dropout, derived from the run's seed.</summary>
    internal static int EpochSeed(long seed, int epoch) => unchecked((int)(((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL) >> 33));

    /// <summary>Trains the next epoch, evaluates on the test set (when there is one) and returns the epoch's record.</summary>
    public EpochRecord RunEpoch(ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        if (Finished) throw new InvalidOperationException($"All {Options.Epochs} epochs are done.");
        int epoch = State.CompletedEpochs;
        int epochSeed = EpochSeed(Options.Seed, epoch);
        var rng = new Random(epochSeed);
        torch.manual_seed(epochSeed); // dropout and stochastic depth draw from torch's generator
        int[] order = ImageSeeds.Shuffle(train.Count, rng);
        allPatchTokens = epoch >= Options.Epochs - Options.FullTokenEpochs;
        progress?.EpochStarted(epoch + 1, Options.Epochs, StepsPerEpoch);

        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0, step = State.Step;
        double learningRate = 0;
        int batch = 0;
        foreach (var data in train.Batches(order, Options.BatchSize, epochSeed, cancellation))
        {
            using var batchData = data;
            cancellation.ThrowIfCancellationRequested();
            int count = data.Count;
            learningRate = schedule.At(step);
            using var scope = torch.NewDisposeScope();
            Tensor? targets = null;
            if (Options.Mixup is MixupOptions mixup)
            {
                var mixRandom = new Random(ImageSeeds.For(epochSeed ^ 0x6D1C5E, batch));
                (targets, _) = Mixup.Apply(data.Images, data.Labels, train.ClassNames.Count, Options.LabelSmoothing, mixup, mixRandom);
            }
            var (loss, batchCorrect) = TrainStep(data.Images, data.Labels, learningRate, targets);
            step++; batch++;
            lossSum += loss * count; correct += batchCorrect; seen += count;
            progress?.BatchDone(new BatchReport(epoch + 1, Options.Epochs, batch, StepsPerEpoch, lossSum / seen, (double)correct / seen,
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

    /// <summary>
    /// One optimisation step on a batch (CPU or device tensors); returns the batch's mean loss and how many it got right.
    /// With <see cref="TrainerOptions.GradientAccumulation"/> k the batch goes through the model in k micro-batches whose
    /// gradients add up to the whole batch's (each micro-batch's mean loss weighted by its share of the batch), then one update.
    /// </summary>
    /// <param name="images">[B, C, H, W].</param>
    /// <param name="labels">[B] class indices (for accuracy, and the loss when there are no soft targets).</param>
    /// <param name="learningRate">The scheduled rate (each group scales it).</param>
    /// <param name="softTargets">[B, classes] target distributions (Mixup/CutMix, already label-smoothed); null: <paramref name="labels"/> with label smoothing.</param>
    public (double Loss, long Correct) TrainStep(Tensor images, Tensor labels, double learningRate, Tensor? softTargets = null)
    {
        var network = compute?.Model ?? model;
        network.train();
        if (allPatchTokens) foreach (var patchDropout in compute?.PatchDropouts ?? patchDropouts) patchDropout.eval();
        using var scope = torch.NewDisposeScope();
        compute?.PullWeights();
        var x = images.to(device);
        var y = labels.to(device);
        var t = softTargets?.to(device);
        long total = x.shape[0];
        int chunks = (int)Math.Min(Options.GradientAccumulation, total);
        long chunk = (total + chunks - 1) / chunks;
        optimizer.ZeroGrad();
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < total; start += chunk)
        {
            using var micro = torch.NewDisposeScope();
            long count = Math.Min(chunk, total - start);
            var xs = x.narrow(0, start, count);
            var ys = y.narrow(0, start, count);
            var logits = compute is null ? model.forward(xs) : compute.Model.forward(xs.to(ScalarType.BFloat16)).to(ScalarType.Float32);
            RequireClassCount(logits, train);
            var loss = t is null
                ? nn.functional.cross_entropy(logits, ys, label_smoothing: Options.LabelSmoothing)
                : (-(t.narrow(0, start, count) * nn.functional.log_softmax(logits, 1))).sum(1).mean();
            var weighted = count == total ? loss : loss * ((double)count / total);
            weighted.backward();
            compute?.PushGradients(); // float32 sums across micro-batches, not bfloat16 ones
            lossSum += loss.item<float>() * count;
            using (torch.no_grad()) correct += logits.argmax(1).eq(ys).sum().item<long>();
        }
        if (Options.GradientClipNorm > 0) nn.utils.clip_grad_norm_(optimizer.Parameters, Options.GradientClipNorm);
        optimizer.Update(learningRate);
        Ema?.Update();
        return (lossSum / total, correct);
    }

    private static void RequireClassCount(Tensor logits, IImageDataset data)
    {
        if (logits.dim() != 2 || logits.shape[1] != data.ClassNames.Count)
            throw new ArgumentException($"The model gives logits [{string.Join(",", logits.shape)}] but the data set has {data.ClassNames.Count} classes: " +
                                        "declare (or load) the model with a head of that many classes.");
    }

    /// <summary>Mean cross-entropy (no smoothing), accuracy and confusion matrix on <paramref name="data"/> with its transform.</summary>
    public Evaluation Evaluate(IImageDataset data) => Evaluate(model, data, Options.EvaluationBatchSize, device);

    /// <summary>Mean cross-entropy (no smoothing), accuracy and confusion matrix of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, IImageDataset data, int batchSize, Device device, CancellationToken cancellation = default)
    {
        model.eval();
        int classes = data.ClassNames.Count;
        var confusion = new long[classes, classes];
        double lossSum = 0;
        long seen = 0;
        using var noGrad = torch.no_grad();
        var all = Enumerable.Range(0, data.Count).ToArray();
        foreach (var batch in data.Batches(all, batchSize, 0, cancellation))
        {
            using var batchData = batch;
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(batch.Images.to(device));
            RequireClassCount(logits, data);
            lossSum += nn.functional.cross_entropy(logits, batch.Labels.to(device), reduction: nn.Reduction.Sum).item<float>();
            var predicted = logits.argmax(1).cpu().data<long>().ToArray();
            var truth = batch.Labels.data<long>().ToArray();
            for (int i = 0; i < batch.Count; i++) confusion[truth[i], predicted[i]]++;
            seen += batch.Count;
        }
        // A data set that skips undecodable files yields fewer images than it has: the mean is over those seen.
        return new Evaluation(seen == 0 ? double.NaN : lossSum / seen, confusion, data.ClassNames);
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
        var ema = (Ema?.StateTensors() ?? []).Select(t => KeyValuePair.Create(StateEmaPrefix + t.Name, t.Tensor));
        Safetensors.Write(statePath, weights.Concat(moments).Concat(ema), stateMetadata);

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
        if (state.TrainTransform is not null && state.TrainTransform != train.Transform)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                $"the run was trained with the transform {state.TrainTransform.Description}; this one has {train.Transform.Description}: resume with the same.", statePath);
        if (state.Options != Options)
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                "the run was saved with other training options: resume with the saved ones (see Trainer.ReadState).", statePath);
        var weights = Section(saved.Tensors, CheckpointMetadataKeys.StateModelPrefix);
        var moments = Section(saved.Tensors, CheckpointMetadataKeys.StateOptimizerPrefix);
        // Both are checked before either is copied: the optimizer's moments first (its check has no side effects), then the
        // weights load all-or-nothing, then the moments are copied.
        var ema = Section(saved.Tensors, StateEmaPrefix);
        optimizer.LoadState(moments, state.Step, statePath, validateOnly: true);
        Ema?.LoadState(ema, statePath, validateOnly: true);
        model.LoadTensors(weights, statePath, saved.Metadata, fromTrainingState: true);
        optimizer.LoadState(moments, state.Step, statePath);
        Ema?.LoadState(ema, statePath);
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

    /// <summary>Disposes the optimizer (and its state) and the bfloat16 copy, if any; the model is the caller's.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        compute?.Dispose();
    }
}
