using ShapedVit;

namespace ShapedVit.Samples.Variants;

// The paper's Table 1 models at 224 px (Tiny and Small as DeiT defines them) ...
[VisionTransformer(Preset = VitPreset.Tiny)]
public partial class VitTi16 { }

[VisionTransformer(Preset = VitPreset.Small)]
public partial class VitS16 { }

[VisionTransformer(NumClasses = 1000)]
[Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[ExpectShape(Stage.Image, 224, 224, 3), ExpectShape(Stage.PatchTokens, 196, 768), ExpectShape(Stage.Tokens, 197, 768)]
public partial class VitB16 { }

[VisionTransformer(Preset = VitPreset.Base), Patch(32)]
public partial class VitB32 { }

[VisionTransformer(Preset = VitPreset.Large)]
public partial class VitL16 { }

[VisionTransformer(Preset = VitPreset.Huge), Patch(14)]
public partial class VitH14 { }

// ... and the tutorial configuration this project grew from.
[VisionTransformer(NumClasses = 10)]
[Image(256), Patch(32), Embed(1024), Depth(6), Heads(8), Mlp(2048)]
public partial class TutorialVit { }
