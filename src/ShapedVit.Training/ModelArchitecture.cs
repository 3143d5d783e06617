namespace ShapedVit.Training;

/// <summary>The architecture key saved with a checkpoint: a model's name and every number that changes its weights' shapes or meaning.</summary>
public static class ModelArchitecture
{
    public static string Describe(string name, VitSpec s) =>
        $"{name}(image {s.ImageHeight}x{s.ImageWidth}x{s.Channels}, patch {s.PatchHeight}x{s.PatchWidth}, embed {s.EmbedDim}, depth {s.Depth}, " +
        $"heads {s.Heads}, mlp {s.EffectiveMlpDim}, classes {s.NumClasses}, pooling {s.Pooling}, class token {s.ClassToken}, registers {s.RegisterTokens}, " +
        $"qkv bias {s.QkvBias}, layer scale {s.LayerScale}, representation {s.RepresentationSize})";
}
