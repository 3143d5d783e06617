using System.Diagnostics;
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
public sealed partial class Trainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IImageDataset train;
    private readonly IImageDataset? test;
    private readonly Device device;
    private readonly ITrainerOptimizer optimizer;
    private LearningRateSchedule schedule;
    private readonly PatchDropout[] patchDropouts;
    private readonly BFloat16Compute? compute; // TrainingPrecision.BFloat16: the copy the steps run in
    private bool allPatchTokens;
    private bool epochUnfinished; // RunEpoch stopped part-way: the weights belong to no completed epoch

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
        if (train.ClassNames.Count < 2)
            throw new ArgumentException($"The training set has {train.ClassNames.Count} class{(train.ClassNames.Count == 1 ? $" ('{train.ClassNames[0]}')" : "es")}: " +
                                        "a classifier needs at least 2.", nameof(train));
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

    /// <summary>The seed of one epoch's shuffling, augmentation and dropout, derived from the run's seed.</summary>
    internal static int EpochSeed(long seed, int epoch) => unchecked((int)(((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL) >> 33));

    /// <summary>Disposes the optimizer (and its state) and the bfloat16 copy, if any; the model is the caller's.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        compute?.Dispose();
    }
}
