using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

// Evaluation on a labelled set, and the class-count check both training and evaluation make.
public sealed partial class Trainer
{
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
        var confusion = new ConfusionMatrix(classes);
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
            for (int i = 0; i < batch.Count; i++) confusion.Add((int)truth[i], (int)predicted[i]);
            seen += batch.Count;
        }
        // A data set that skips undecodable files yields fewer images than it has: the mean is over those seen.
        return new Evaluation(seen == 0 ? double.NaN : lossSum / seen, confusion, data.ClassNames);
    }
}
