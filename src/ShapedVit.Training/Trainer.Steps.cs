using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

// The training loop: epochs and single optimisation steps.
public sealed partial class Trainer
{
    /// <summary>
    /// Trains the next epoch, evaluates on the test set (when there is one) and returns the epoch's record. A batch whose
    /// loss or gradients are not finite stops the run with a <see cref="TrainingStoppedException"/> before its update (or is
    /// skipped, with <see cref="NonFiniteBatchPolicy.Skip"/>), and so does an epoch in which no image could be used; the
    /// epoch is then not recorded as done.
    /// </summary>
    public EpochRecord RunEpoch(ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        if (Finished) throw new InvalidOperationException($"All {Options.Epochs} epochs are done.");
        int epoch = State.CompletedEpochs;
        epochUnfinished = true;
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
            if (count == 0) continue; // every image of the batch was skipped (BadImagePolicy.Skip)
            learningRate = schedule.At(step);
            using var scope = torch.NewDisposeScope();
            Tensor? targets = null;
            if (Options.Mixup is MixupOptions mixup)
            {
                var mixRandom = new Random(ImageSeeds.For(epochSeed ^ 0x6D1C5E, batch));
                (targets, _) = Mixup.Apply(data.Images, data.Labels, train.ClassNames.Count, Options.LabelSmoothing, mixup, mixRandom);
            }
            var (loss, batchCorrect, nonFinite) = Step(data.Images, data.Labels, learningRate, targets);
            batch++;
            if (nonFinite is not null)
            {
                if (Options.NonFiniteBatches == NonFiniteBatchPolicy.Stop)
                    throw new TrainingStoppedException($"epoch {epoch + 1}, batch {batch} of {StepsPerEpoch}: {StoppedBecause(nonFinite)}");
                continue; // skipped: no update, so no step, and the batch does not count towards the epoch's loss
            }
            step++;
            lossSum += loss * count; correct += batchCorrect; seen += count;
            progress?.BatchDone(new BatchReport(epoch + 1, Options.Epochs, batch, StepsPerEpoch, lossSum / seen, (double)correct / seen,
                                                seen / clock.Elapsed.TotalSeconds, learningRate));
        }
        if (seen == 0)
            throw new TrainingStoppedException($"epoch {epoch + 1} had no usable training image (all {train.Count} were skipped: undecodable, or in batches " +
                                               "whose loss or gradients were not finite); nothing was trained.");
        double seconds = clock.Elapsed.TotalSeconds;
        var evaluation = test is null ? null : Evaluate(test);
        LastEvaluation = evaluation;
        var record = new EpochRecord(epoch + 1, lossSum / seen, (double)correct / seen, evaluation?.Loss ?? double.NaN,
                                     evaluation?.Accuracy ?? double.NaN, learningRate, seconds, seen / seconds);
        State = State with { CompletedEpochs = epoch + 1, Step = step, History = [.. State.History, record] };
        epochUnfinished = false;
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
    /// <returns>The mean loss and the count right; when the loss or the gradients are not finite nothing is updated, and the
    /// step throws a <see cref="TrainingStoppedException"/> or, with <see cref="NonFiniteBatchPolicy.Skip"/>, returns a NaN loss.</returns>
    public (double Loss, long Correct) TrainStep(Tensor images, Tensor labels, double learningRate, Tensor? softTargets = null)
    {
        var (loss, correct, nonFinite) = Step(images, labels, learningRate, softTargets);
        if (nonFinite is not null && Options.NonFiniteBatches == NonFiniteBatchPolicy.Stop) throw new TrainingStoppedException(StoppedBecause(nonFinite));
        return (loss, correct);
    }

    private static string StoppedBecause(string nonFinite) =>
        $"{nonFinite} is not finite: the run stopped before the update, so the weights are the previous step's (a NaN or Inf in an image, " +
        "or a learning rate too high; TrainerOptions.NonFiniteBatches = Skip skips such batches).";

    /// <summary>One step; <c>NonFinite</c> names what was not finite (and nothing was updated), else null.</summary>
    private (double Loss, long Correct, string? NonFinite) Step(Tensor images, Tensor labels, double learningRate, Tensor? softTargets)
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
            float value = loss.item<float>();
            if (!float.IsFinite(value))
            {
                optimizer.ZeroGrad();
                return (double.NaN, 0, $"the loss ({value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }
            // The share is a Scalar held until backward is done: an implicit temporary could be finalised by the GC while
            // the native multiply still reads it (AdamWGarbageCollectionTests caught it, rarely).
            using var share = count == total ? null : ((double)count / total).ToScalar();
            var weighted = share is null ? loss : loss.mul(share);
            weighted.backward();
            compute?.PushGradients(); // float32 sums across micro-batches, not bfloat16 ones
            lossSum += value * count;
            using (torch.no_grad()) correct += logits.argmax(1).eq(ys).sum().item<long>();
        }
        double norm = Options.GradientClipNorm > 0 ? nn.utils.clip_grad_norm_(optimizer.Parameters, Options.GradientClipNorm) : GradientNorm();
        if (!double.IsFinite(norm))
        {
            optimizer.ZeroGrad();
            return (double.NaN, 0, $"the gradient norm ({norm.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
        optimizer.Update(learningRate);
        Ema?.Update();
        return (lossSum / total, correct, null);
    }

    /// <summary>The global L2 norm of the optimised parameters' gradients (what clipping computes, when it is off).</summary>
    private double GradientNorm()
    {
        using var scope = torch.NewDisposeScope();
        var norms = optimizer.Parameters.Select(p => p.grad).OfType<Tensor>().Select(g => g.norm()).ToArray();
        return norms.Length == 0 ? 0 : torch.stack(norms).norm().item<float>();
    }
}
