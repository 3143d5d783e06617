using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Training.Data;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

// The training loop: epochs and single optimisation steps.
public sealed partial class Trainer
{
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
}
