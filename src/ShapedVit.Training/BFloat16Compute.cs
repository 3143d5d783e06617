using ShapedVit.Inference;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// The bfloat16 copy a <see cref="Trainer"/> runs forward and backward in under <see cref="TrainingPrecision.BFloat16"/>.
/// The trained model's own float32 parameters stay the master weights (the optimizer, the EMA, checkpoints and
/// evaluation use them): each step copies them into this copy, rounded to bfloat16 except the LayerNorms' (kept float32,
/// as <see cref="BFloat16Inference.ToBFloat16"/> does), and each micro-batch's bfloat16 gradients are added into the
/// masters' in float32. TorchSharp has no autocast; this is the mixed-precision recipe by hand.
/// </summary>
internal sealed class BFloat16Compute : IDisposable
{
    private readonly (Parameter Master, Parameter Compute)[] parameters;
    private readonly (Tensor Master, Tensor Compute)[] buffers;

    private BFloat16Compute(nn.Module<Tensor, Tensor> model, (Parameter, Parameter)[] parameters, (Tensor, Tensor)[] buffers)
    {
        Model = model;
        this.parameters = parameters;
        this.buffers = buffers;
        PatchDropouts = model.modules().OfType<PatchDropout>().ToArray();
    }

    /// <summary>The bfloat16 model the step runs.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>Its patch dropout layers (the trainer switches them off for full-token epochs).</summary>
    public PatchDropout[] PatchDropouts { get; }

    /// <summary>A bfloat16 copy of <paramref name="master"/> on <paramref name="device"/>, with its weights and frozen parameters.</summary>
    public static BFloat16Compute Create(nn.Module<Tensor, Tensor> master, Device device)
    {
        var copy = Construct(master);
        try
        {
            copy.to(device);
            BFloat16Inference.ToBFloat16(copy);
            var pairs = Pair(master, master.named_parameters().Select(p => (p.name, p.parameter)).ToList(), copy.named_parameters().Select(p => (p.name, p.parameter)).ToList());
            foreach (var (m, c) in pairs) c.requires_grad = m.requires_grad; // a linear probe's frozen parameters stay frozen
            var bufferPairs = Pair(master, master.named_buffers().Select(b => (b.name, b.buffer)).ToList(), copy.named_buffers().Select(b => (b.name, b.buffer)).ToList());
            var compute = new BFloat16Compute(copy, pairs, bufferPairs);
            compute.PullWeights();
            return compute;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Each of the master's tensors with the copy's of the same name and shape; a copy that differs is refused.</summary>
    private static (T Master, T Compute)[] Pair<T>(nn.Module master, List<(string Name, T Tensor)> masters, List<(string Name, T Tensor)> copies) where T : Tensor
    {
        var byName = copies.ToDictionary(c => c.Name, c => c.Tensor);
        string? mismatch = masters.Where(m => !(byName.TryGetValue(m.Name, out var c) && c.shape.SequenceEqual(m.Tensor.shape))).Select(m => m.Name).FirstOrDefault();
        if (mismatch is not null || byName.Count != masters.Count)
            throw new ArgumentException($"bfloat16 training builds a second {master.GetType().Name} for its compute copy, and its tensors differ from the model's " +
                                        $"({mismatch ?? "their number"}): a model changed after it was built trains in float32 only.", nameof(master));
        return masters.Select(m => (m.Tensor, byName[m.Name])).ToArray();
    }

    /// <summary>
    /// A new model of the master's type and class count, built by the generated factory
    /// (<see cref="IVisionTransformer.CreateLike"/>, which is <see cref="IVisionTransformer{TSelf}.Create"/>). Its weights
    /// are overwritten before every step; torch's global generator, which building layers draws from, is put back as it
    /// was, so that choosing bfloat16 does not change a program's random numbers.
    /// </summary>
    private static nn.Module<Tensor, Tensor> Construct(nn.Module<Tensor, Tensor> master)
    {
        if (master is not IVisionTransformer vit)
            throw new ArgumentException($"bfloat16 training builds a second {master.GetType().Name} for its compute copy through IVisionTransformer.CreateLike, " +
                                        $"which {master.GetType().Name} does not implement (every generated model does): train it in float32.", nameof(master));
        using var generatorState = torch.get_rng_state();
        try
        {
            return vit.CreateLike(seed: 0);
        }
        finally
        {
            torch.set_rng_state(generatorState);
        }
    }

    /// <summary>Copies the master weights in (rounded to bfloat16 where the copy is bfloat16) and clears the copy's gradients.</summary>
    public void PullWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var (master, compute) in parameters)
        {
            compute.copy_(master);
            compute.grad?.zero_();
        }
        foreach (var (master, compute) in buffers) compute.copy_(master);
    }

    /// <summary>Adds the copy's gradients into the masters' in float32 and clears the copy's (after each micro-batch's backward).</summary>
    public void PushGradients()
    {
        using var noGrad = torch.no_grad();
        foreach (var (master, compute) in parameters)
        {
            var gradient = compute.grad;
            if (gradient is null) continue;
            // A float32 compute parameter (a LayerNorm's) has a float32 gradient, which to() would return as it is.
            if (master.grad is null) master.grad = gradient.dtype == master.dtype ? gradient.clone() : gradient.to(master.dtype);
            else master.grad.add_(gradient, Scalars.One); // a held alpha: a temporary Scalar can be collected mid-call (AdamWGarbageCollectionTests)
            gradient.zero_();
        }
    }

    public void Dispose() => Model.Dispose();
}
