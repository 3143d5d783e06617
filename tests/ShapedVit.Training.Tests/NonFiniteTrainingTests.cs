using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

/// <summary>
/// One NaN or Inf image must not poison a run silently: the run stops with a one-line error before the update (or skips
/// the batch where asked), the weights stay finite, and nothing non-finite is ever saved. Property tests over where the
/// bad value sits (which image of the epoch, which pixel, NaN, +Inf or -Inf), in float32 and bfloat16.
/// </summary>
[Collection(TrainingCollection.Name)]
public class NonFiniteTrainingTests
{
    private static readonly float[] BadValues = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];

    /// <summary>A data set whose one image gets one non-finite pixel after its transform, as a broken decoder or transform would give.</summary>
    private sealed class PoisonedImages(IImageDataset inner, int image, int pixel, float value) : IImageDataset
    {
        public int Count => inner.Count;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public ImageTransform Transform => inner.Transform;
        public int LabelOf(int index) => inner.LabelOf(index);

        public IEnumerable<ImageBatch> Batches(IReadOnlyList<int> indices, int batchSize, int seed, CancellationToken cancellation = default)
        {
            foreach (var batch in inner.Batches(indices, batchSize, seed, cancellation))
            {
                int at = Array.IndexOf(batch.Indices, image);
                if (at >= 0)
                {
                    long perImage = batch.Images.numel() / batch.Count;
                    using var flat = batch.Images.view(-1); // a view: the write lands in the batch's images
                    flat.data<float>()[at * perImage + pixel] = value;
                }
                yield return batch;
            }
        }
    }

    private static TrainerOptions Options(TrainingPrecision precision, NonFiniteBatchPolicy policy) => new()
    {
        Epochs = 2, BatchSize = 8, LearningRate = 1e-3, WarmupEpochs = 0, Seed = 5, Precision = precision, NonFiniteBatches = policy,
    };

    private static string Architecture => ModelArchitecture.Describe(nameof(PlainTinyVit), PlainTinyVit.Spec);

    private static bool AllFinite(nn.Module model) => model.parameters().All(p => torch.isfinite(p).all().item<bool>());

    private static Dictionary<string, float[]> Weights(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().data<float>().ToArray());

    public static TheoryData<TrainingPrecision, int> Cases()
    {
        var data = new TheoryData<TrainingPrecision, int>();
        foreach (var precision in new[] { TrainingPrecision.Float32, TrainingPrecision.BFloat16 })
            for (int seed = 0; seed < 4; seed++) data.Add(precision, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_non_finite_image_stops_the_run_in_one_line_before_the_update_and_nothing_is_saved(TrainingPrecision precision, int seed)
    {
        var random = new Random(seed);
        var clean = TrainerTests.RandomImages(32, 20 + seed);
        float bad = BadValues[random.Next(BadValues.Length)];
        var data = new PoisonedImages(clean, image: random.Next(clean.Count), pixel: random.Next(64), bad);
        using var dir = new TempDirectory();
        using var model = new PlainTinyVit(seed: 1);
        using var trainer = new Trainer(model, data, null, Options(precision, NonFiniteBatchPolicy.Stop), torch.CPU, Architecture);

        var error = Assert.Throws<TrainingStoppedException>(() => trainer.RunEpoch());
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("epoch 1, batch ", error.Message);
        Assert.Contains("is not finite: the run stopped before the update", error.Message);
        Assert.True(AllFinite(model), $"a {bad} pixel reached the weights ({precision})");
        Assert.Equal(0, trainer.State.CompletedEpochs);
        // An epoch stopped part-way is not saved: its weights would not resume exactly.
        var notSaved = Assert.Throws<InvalidOperationException>(() => trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors")));
        Assert.Equal("Epoch 1 stopped part-way: its weights belong to no completed epoch and would not resume exactly, so nothing is saved; " +
                     "the files of the last completed epoch stay.", notSaved.Message);
        Assert.False(File.Exists(dir.File("s.safetensors")));
        Assert.False(File.Exists(dir.File("m.safetensors")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void With_the_skip_policy_the_batch_is_skipped_and_training_goes_on_finite(TrainingPrecision precision, int seed)
    {
        var random = new Random(100 + seed);
        var clean = TrainerTests.RandomImages(32, 40 + seed);
        float bad = BadValues[random.Next(BadValues.Length)];
        var data = new PoisonedImages(clean, image: random.Next(clean.Count), pixel: random.Next(64), bad);
        using var model = new PlainTinyVit(seed: 1);
        using var trainer = new Trainer(model, data, null, Options(precision, NonFiniteBatchPolicy.Skip), torch.CPU, Architecture);

        var first = trainer.RunEpoch();
        var second = trainer.RunEpoch();
        Assert.True(double.IsFinite(first.TrainLoss) && double.IsFinite(second.TrainLoss), $"{first.TrainLoss}, {second.TrainLoss}");
        Assert.True(AllFinite(model));
        Assert.Equal(2 * (32 / 8 - 1), trainer.State.Step); // one batch of four skipped each epoch: no update, no step
    }

    [Fact]
    public void The_checkpoint_writer_refuses_a_non_finite_weight_and_leaves_the_previous_files()
    {
        using var dir = new TempDirectory();
        using var model = new PlainTinyVit(seed: 1);
        using var trainer = new Trainer(model, TrainerTests.RandomImages(16, 3), null, Options(TrainingPrecision.Float32, NonFiniteBatchPolicy.Stop), torch.CPU, Architecture);
        trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        byte[] model0 = File.ReadAllBytes(dir.File("m.safetensors")), state0 = File.ReadAllBytes(dir.File("s.safetensors"));
        using (torch.no_grad()) model.state_dict()["blocks.1.mlp.fc1.weight"].data<float>()[0, 3] = float.NaN;

        var error = Assert.Throws<CheckpointException>(() => trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors")));
        Assert.Equal($"{dir.File("s.safetensors")}: tensor 'model/blocks.1.mlp.fc1.weight': [InvalidTensor] holds NaN or Inf: a diverged run is not saved, " +
                     "and the previous file is left as it was.", error.Message);
        Assert.Equal(model0, File.ReadAllBytes(dir.File("m.safetensors")));
        Assert.Equal(state0, File.ReadAllBytes(dir.File("s.safetensors")));
    }

    /// <summary>A data set whose every batch comes back empty, as an image folder of undecodable files with BadImagePolicy.Skip gives.</summary>
    private sealed class AllSkipped(IImageDataset inner) : IImageDataset
    {
        public int Count => inner.Count;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public ImageTransform Transform => inner.Transform;
        public int LabelOf(int index) => inner.LabelOf(index);

        public IEnumerable<ImageBatch> Batches(IReadOnlyList<int> indices, int batchSize, int seed, CancellationToken cancellation = default)
        {
            for (int start = 0; start < indices.Count; start += batchSize)
                yield return new ImageBatch(torch.zeros(0, 1, 8, 8), torch.zeros(0, dtype: ScalarType.Int64), []);
        }
    }

    [Fact]
    public void An_epoch_without_one_usable_image_is_an_error_not_a_NaN_loss()
    {
        using var model = new PlainTinyVit(seed: 1);
        using var trainer = new Trainer(model, new AllSkipped(TrainerTests.RandomImages(16, 3)), null,
                                        Options(TrainingPrecision.Float32, NonFiniteBatchPolicy.Skip), torch.CPU, Architecture);
        var error = Assert.Throws<TrainingStoppedException>(() => trainer.RunEpoch());
        Assert.Equal("epoch 1 had no usable training image (all 16 were skipped: undecodable, or in batches whose loss or gradients were not finite); nothing was trained.", error.Message);
        Assert.Equal(0, trainer.State.CompletedEpochs);
    }

    [Fact]
    public void A_single_class_data_set_is_refused_in_one_line()
    {
        var pixels = new byte[4 * 64];
        var data = new LabeledImages(pixels, [0, 0, 0, 0], 1, 8, 8, ["cat"], ImageTransform.Normalize([0.5f], [0.5f]));
        using var model = new PlainTinyVit(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, data, null, new TrainerOptions(), torch.CPU, Architecture));
        Assert.Equal("The training set has 1 class ('cat'): a classifier needs at least 2. (Parameter 'train')", error.Message);
    }
}
