using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// EVA-02's rotary position embedding of the patch tokens (timm's <c>RotaryEmbeddingCat</c> with <c>in_pixels=False</c>,
/// as <c>Eva</c> builds it): per head, a quarter of the head width holds frequency bands <c>temperature^(-i/(hd/4))</c>,
/// applied to the row and to the column index of each patch (scaled to the reference grid when one is given), each
/// sine and cosine repeated twice for the interleaved rotation. It has no parameters and no buffers, so it adds no
/// state_dict key (timm's are non-persistent). The model computes the embedding once per forward for the grid of the
/// images it is given (<see cref="Use"/>); the attention layers built with it read it while that scope lasts, so the
/// blocks stay <c>Module&lt;Tensor, Tensor&gt;</c> and their hooks fire as before.
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    private readonly AsyncLocal<Tensor?> current = new(); // per async flow, so concurrent forwards of one model stay apart

    /// <summary>A rotary embedding for heads <paramref name="headDim"/> wide.</summary>
    /// <param name="headDim">Width of one attention head; must be a positive multiple of 4.</param>
    /// <param name="referenceGrid">The square patch grid the frequencies were trained at (timm's <c>ref_feat_shape</c>); 0 uses each forward's own grid.</param>
    /// <param name="temperature">The frequency base (timm's <c>rope_temperature</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="headDim"/> is not a positive multiple of 4, or <paramref name="referenceGrid"/> is negative.</exception>
    public RotaryEmbedding(long headDim, int referenceGrid = 0, double temperature = 10000) : base(nameof(RotaryEmbedding))
    {
        if (headDim <= 0 || headDim % 4 != 0)
            throw new ArgumentException($"A rotary embedding needs a head width that splits into four; {headDim} does not.", nameof(headDim));
        if (referenceGrid < 0) throw new ArgumentException("The reference grid cannot be negative.", nameof(referenceGrid));
        HeadDim = headDim;
        ReferenceGrid = referenceGrid;
        Temperature = temperature;
        State = new RotaryState(this);
    }

    /// <summary>Width of one attention head.</summary>
    public long HeadDim { get; }
    /// <summary>The reference grid (0: the current grid).</summary>
    public int ReferenceGrid { get; }
    /// <summary>The frequency base.</summary>
    public double Temperature { get; }

    // What the attention layers hold: a plain object, so that RegisterComponents does not make this module their child.
    internal RotaryState State { get; }

    /// <summary>
    /// The embedding of a <paramref name="gridHeight"/> x <paramref name="gridWidth"/> patch grid, rows first:
    /// [gridHeight * gridWidth, 2 * HeadDim], the sines then the cosines, in float32 as timm computes them.
    /// </summary>
    public Tensor Embed(long gridHeight, long gridWidth, Device? device = null)
    {
        using var scope = NewDisposeScope();
        long bands = HeadDim / 4;
        // timm: bands = 1 / temperature ** (arange(bands) / bands), float32.
        using Scalar bandCount = bands, temperature = Temperature; // held until the calls return (see Scalars)
        var exponent = torch.arange(bands, int64, device).to(float32).div(bandCount);
        var frequencies = torch.full_like(exponent, temperature).pow(exponent).reciprocal();
        var rows = Positions(gridHeight, device);
        var columns = Positions(gridWidth, device);
        var grid = torch.stack(torch.meshgrid([rows, columns], indexing: "ij"), -1).unsqueeze(-1); // [gh, gw, 2, 1]
        var angles = grid.mul(frequencies).reshape(gridHeight * gridWidth, -1);                  // [gh*gw, hd/2]
        var sin = angles.sin().repeat_interleave(2, -1);                                          // [gh*gw, hd]
        var cos = angles.cos().repeat_interleave(2, -1);
        return torch.cat([sin, cos], -1).MoveToOuterDisposeScope();
    }

    private Tensor Positions(long size, Device? device)
    {
        var t = torch.arange(size, int64, device).to(float32);
        if (ReferenceGrid == 0) return t;
        // EVA's scheme for another grid than the trained one: positions scaled to the reference grid (t / size * ref).
        using Scalar count = size, reference = ReferenceGrid;
        return t.div(count).mul(reference);
    }

    /// <summary>
    /// Makes the embedding of a <paramref name="gridHeight"/> x <paramref name="gridWidth"/> grid the one this model's
    /// attention layers apply, on this async flow, until the returned scope is disposed.
    /// </summary>
    public IDisposable Use(long gridHeight, long gridWidth, Device? device = null)
    {
        var embedding = Embed(gridHeight, gridWidth, device).DetachFromDisposeScope();
        return new Scope(current, embedding);
    }

    internal Tensor Current => current.Value ?? throw new InvalidOperationException(
        "This attention applies a rotary position embedding, which the model computes for the image's patch grid: call the model, not the block alone, or wrap the call in rope.Use(gridHeight, gridWidth).");

    internal sealed class RotaryState(RotaryEmbedding owner)
    {
        internal Tensor Current => owner.Current;
    }

    private sealed class Scope : IDisposable
    {
        private readonly AsyncLocal<Tensor?> slot;
        private readonly Tensor? previous;
        private Tensor? embedding;

        internal Scope(AsyncLocal<Tensor?> slot, Tensor embedding)
        {
            this.slot = slot;
            previous = slot.Value;
            this.embedding = embedding;
            slot.Value = embedding;
        }

        public void Dispose()
        {
            if (embedding is null) return;
            slot.Value = previous;
            embedding.Dispose();
            embedding = null;
        }
    }

    /// <summary>
    /// Rotates the patch tokens' queries or keys (timm's <c>apply_rot_embed_cat</c>, interleaved): [B, H, N, hd] with
    /// <paramref name="prefixTokens"/> tokens left as they are; the result has <paramref name="like"/>'s dtype, as timm's <c>type_as(v)</c>.
    /// </summary>
    internal static Tensor Apply(Tensor x, Tensor embedding, long prefixTokens, Tensor like)
    {
        long length = x.shape[2];
        var patches = prefixTokens > 0 ? x.narrow(2, prefixTokens, length - prefixTokens) : x;
        if (patches.shape[2] != embedding.shape[0])
            throw new InvalidOperationException(
                $"The rotary embedding covers {embedding.shape[0]} patches but the attention sees {patches.shape[2]} (patch dropout with a rotary embedding is not supported).");
        var halves = embedding.chunk(2, -1);
        Tensor sin = halves[0], cos = halves[1];
        // rot(x) = [-x1, x0, -x3, x2, ...]: pairs of adjacent channels rotated by a quarter turn.
        var pairs = patches.unflatten(patches.dim() - 1, [patches.shape[^1] / 2, 2]).unbind(-1);
        var rotated = torch.stack([pairs[1].neg(), pairs[0]], -1).reshape(patches.shape);
        var turned = patches.mul(cos).add_(rotated.mul(sin), Scalars.One); // promotes to float32 for bfloat16, as timm
        var all = prefixTokens > 0 ? torch.cat([x.narrow(2, 0, prefixTokens).to(turned.dtype), turned], 2) : turned;
        return all.to(like.dtype);
    }
}
