namespace ShapedVit.Samples.Variants;

/// <summary>The tutorial configuration this project grew from (the paper's family is declared in the samples' shared project).</summary>
[VisionTransformer(NumClasses = 10)]
[Image(256), Patch(32), Embed(1024), Depth(6), Heads(8), Mlp(2048)]
public partial class TutorialVit { }
