using ShapedVit.Checkpoints;
using ShapedVit.Testing;
using ShapedVit.Data;
using ShapedVit.Vision;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Training.Tests;

[Collection(TrainingCollection.Name)]
public class ImageFolderTrainingTests
{
    private static string Folder(TempDirectory dir)
    {
        var rng = new Random(3);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 8; i++)
            {
                string path = Path.Combine(dir.Path, $"kind{c}", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                int shade = 60 * c + rng.Next(40);
                File.WriteAllBytes(path, TestImages.Png(12, 10, (x, y) => new SKColor((byte)(shade + 5 * x), (byte)(shade + 3 * y), (byte)shade)));
            }
        return dir.Path;
    }

    [Fact]
    public void A_streamed_image_folder_trains_with_timms_transforms_and_resumes_exactly()
    {
        using var data = new TempDirectory();
        using var dir = new TempDirectory();
        var preprocessing = new PreprocessConfig(8, 1.0, [0.5f], [0.5f], Channels: 1);
        var folder = new ImageFolder(Folder(data), workers: 2, prefetchBatches: 1);
        var (trainFiles, validationFiles) = folder.Split(0.25, seed: 1);
        var train = trainFiles.WithTransform(ImageTransform.Train(preprocessing));
        var validation = validationFiles.WithTransform(ImageTransform.Eval(preprocessing));
        var options = new TrainerOptions { Epochs = 2, BatchSize = 5, LearningRate = 3e-3, WarmupEpochs = 0.5, Seed = 4, Mixup = new MixupOptions(), EmaDecay = 0.9 };

        using var straightModel = new ThreeClassTinyVit(seed: 2);
        using (var straight = new Trainer(straightModel, train, validation, options, torch.CPU, "tiny"))
        {
            while (!straight.Finished) straight.RunEpoch();
            Assert.Equal(6, straight.LastEvaluation!.Count);
            Assert.Equal(["kind0", "kind1", "kind2"], straight.LastEvaluation.ClassNames);
        }
        using (var firstModel = new ThreeClassTinyVit(seed: 2))
        using (var first = new Trainer(firstModel, train, validation, options, torch.CPU, "tiny"))
        {
            first.RunEpoch();
            first.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        }
        using var resumedModel = new ThreeClassTinyVit(seed: 8);
        using var resumed = new Trainer(resumedModel, train, validation, options, torch.CPU, "tiny");
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        resumed.RunEpoch();
        var expected = straightModel.state_dict();
        foreach (var (name, tensor) in resumedModel.state_dict())
            Assert.True(tensor.allclose(expected[name], 0, 1e-6), name);

        // Another transform is another run: resuming with it is refused, naming both.
        using var otherModel = new ThreeClassTinyVit(seed: 8);
        using var other = new Trainer(otherModel, trainFiles.WithTransform(ImageTransform.Train(preprocessing, trivialAugment: false)), validation, options, torch.CPU, "tiny");
        var e = Assert.Throws<CheckpointException>(() => other.LoadCheckpoint(dir.File("s.safetensors")));
        Assert.Contains("TrivialAugmentWide", e.Message);
    }

    [Fact]
    public void A_head_that_does_not_fit_the_folders_classes_is_refused_in_one_line()
    {
        using var data = new TempDirectory();
        var preprocessing = new PreprocessConfig(8, 1.0, [0.5f], [0.5f], Channels: 1);
        var folder = new ImageFolder(Folder(data)).WithTransform(ImageTransform.Eval(preprocessing));
        using var model = new TinyVit(seed: 0); // 10 classes, the folder has 3
        using var trainer = new Trainer(model, folder, null, new TrainerOptions { Epochs = 1, BatchSize = 8 }, torch.CPU, "tiny");
        var e = Assert.Throws<ArgumentException>(() => trainer.RunEpoch());
        Assert.Equal("The model gives logits [8,10] but the data set has 3 classes: declare (or load) the model with a head of that many classes.", e.Message);
    }
}
