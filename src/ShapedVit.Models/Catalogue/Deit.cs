// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// DeiT and DeiT distilled (Touvron et al., 2021): 8 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>deit_base_distilled_patch16_224</c>: <c>VisionTransformerDistilled(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, DistillationToken = true)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class DeitBaseDistilledPatch16_224 { }

/// <summary>timm's <c>deit_base_distilled_patch16_384</c>: <c>VisionTransformerDistilled(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 384 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, DistillationToken = true)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class DeitBaseDistilledPatch16_384 { }

/// <summary>timm's <c>deit_base_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class DeitBasePatch16_224 { }

/// <summary>timm's <c>deit_base_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 384 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class DeitBasePatch16_384 { }

/// <summary>timm's <c>deit_small_distilled_patch16_224</c>: <c>VisionTransformerDistilled(depth=12, embed_dim=384, num_heads=6, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, DistillationToken = true)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class DeitSmallDistilledPatch16_224 { }

/// <summary>timm's <c>deit_small_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class DeitSmallPatch16_224 { }

/// <summary>timm's <c>deit_tiny_distilled_patch16_224</c>: <c>VisionTransformerDistilled(depth=12, embed_dim=192, num_heads=3, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, DistillationToken = true)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class DeitTinyDistilledPatch16_224 { }

/// <summary>timm's <c>deit_tiny_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=192, num_heads=3, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class DeitTinyPatch16_224 { }
