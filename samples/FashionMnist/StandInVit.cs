using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Samples.FashionMnist;

// TEMPORARY stand-in until the generator lands: the same layers the generator emits, hand-wired, so throughput
// experiments can start. Replaced by the generated FashionVit.
internal sealed class StandInVit : nn.Module<Tensor, Tensor>
{
    private readonly PatchEmbed patch_embed;
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly ModuleList<EncoderBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;
    private readonly bool meanPooling;

    public StandInVit(int patch, int embed, int depth, int heads, int mlp, bool meanPooling, double dropPath, long seed) : base("StandInVit")
    {
        this.meanPooling = meanPooling;
        patch_embed = new PatchEmbed(1, embed, patch, patch);
        long tokens = (28 / patch) * (28 / patch) + 1;
        cls_token = new Parameter(torch.zeros(1, 1, embed));
        pos_embed = new Parameter(torch.zeros(1, tokens, embed));
        blocks = new ModuleList<EncoderBlock>();
        for (int i = 0; i < depth; i++)
            blocks.Add(new EncoderBlock(embed, heads, mlp, dropPath: depth > 1 ? dropPath * i / (depth - 1) : 0));
        norm = nn.LayerNorm(embed, 1e-6);
        head = nn.Linear(embed, 10);
        RegisterComponents();
        VitInitializer.Apply(this, seed);
    }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = patch_embed.forward(images);
        x = torch.cat([cls_token.expand(x.shape[0], -1, -1), x], 1) + pos_embed;
        foreach (var block in blocks) x = block.forward(x);
        x = norm.forward(x);
        var pooled = meanPooling ? x[.., 1..].mean([1]) : x[.., 0];
        return head.forward(pooled).MoveToOuterDisposeScope();
    }
}
