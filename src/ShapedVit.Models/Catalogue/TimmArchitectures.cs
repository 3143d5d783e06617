// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
using ShapedVit.Models.Catalogue;

namespace ShapedVit.Models;

/// <summary>Every architecture of the catalogue with its generated type and timm's pretrained_cfg of each tag.</summary>
internal static class TimmArchitectures
{
    internal static TimmArchitecture[] All() =>
    [
        TimmArchitecture.Of<Deit3BasePatch16_224>("deit3_base_patch16_224", "deit3", "VisionTransformer", "fb_in1k", Deit3BasePatch16_224.ParameterCountFor,
        [
            new("deit3_base_patch16_224.fb_in1k", "timm/deit3_base_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
            new("deit3_base_patch16_224.fb_in22k_ft_in1k", "timm/deit3_base_patch16_224.fb_in22k_ft_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3BasePatch16_384>("deit3_base_patch16_384", "deit3", "VisionTransformer", "fb_in1k", Deit3BasePatch16_384.ParameterCountFor,
        [
            new("deit3_base_patch16_384.fb_in1k", "timm/deit3_base_patch16_384.fb_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
            new("deit3_base_patch16_384.fb_in22k_ft_in1k", "timm/deit3_base_patch16_384.fb_in22k_ft_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3LargePatch16_224>("deit3_large_patch16_224", "deit3", "VisionTransformer", "fb_in1k", Deit3LargePatch16_224.ParameterCountFor,
        [
            new("deit3_large_patch16_224.fb_in1k", "timm/deit3_large_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
            new("deit3_large_patch16_224.fb_in22k_ft_in1k", "timm/deit3_large_patch16_224.fb_in22k_ft_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3LargePatch16_384>("deit3_large_patch16_384", "deit3", "VisionTransformer", "fb_in1k", Deit3LargePatch16_384.ParameterCountFor,
        [
            new("deit3_large_patch16_384.fb_in1k", "timm/deit3_large_patch16_384.fb_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
            new("deit3_large_patch16_384.fb_in22k_ft_in1k", "timm/deit3_large_patch16_384.fb_in22k_ft_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3MediumPatch16_224>("deit3_medium_patch16_224", "deit3", "VisionTransformer", "fb_in1k", Deit3MediumPatch16_224.ParameterCountFor,
        [
            new("deit3_medium_patch16_224.fb_in1k", "timm/deit3_medium_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
            new("deit3_medium_patch16_224.fb_in22k_ft_in1k", "timm/deit3_medium_patch16_224.fb_in22k_ft_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3SmallPatch16_224>("deit3_small_patch16_224", "deit3", "VisionTransformer", "fb_in1k", Deit3SmallPatch16_224.ParameterCountFor,
        [
            new("deit3_small_patch16_224.fb_in1k", "timm/deit3_small_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
            new("deit3_small_patch16_224.fb_in22k_ft_in1k", "timm/deit3_small_patch16_224.fb_in22k_ft_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Deit3SmallPatch16_384>("deit3_small_patch16_384", "deit3", "VisionTransformer", "fb_in1k", Deit3SmallPatch16_384.ParameterCountFor,
        [
            new("deit3_small_patch16_384.fb_in1k", "timm/deit3_small_patch16_384.fb_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
            new("deit3_small_patch16_384.fb_in22k_ft_in1k", "timm/deit3_small_patch16_384.fb_in22k_ft_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitBaseDistilledPatch16_224>("deit_base_distilled_patch16_224", "deit", "VisionTransformerDistilled", "fb_in1k", DeitBaseDistilledPatch16_224.ParameterCountFor,
        [
            new("deit_base_distilled_patch16_224.fb_in1k", "timm/deit_base_distilled_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitBaseDistilledPatch16_384>("deit_base_distilled_patch16_384", "deit", "VisionTransformerDistilled", "fb_in1k", DeitBaseDistilledPatch16_384.ParameterCountFor,
        [
            new("deit_base_distilled_patch16_384.fb_in1k", "timm/deit_base_distilled_patch16_384.fb_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitBasePatch16_224>("deit_base_patch16_224", "deit", "VisionTransformer", "fb_in1k", DeitBasePatch16_224.ParameterCountFor,
        [
            new("deit_base_patch16_224.fb_in1k", "timm/deit_base_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitBasePatch16_384>("deit_base_patch16_384", "deit", "VisionTransformer", "fb_in1k", DeitBasePatch16_384.ParameterCountFor,
        [
            new("deit_base_patch16_384.fb_in1k", "timm/deit_base_patch16_384.fb_in1k", 1000, [3, 384, 384], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitSmallDistilledPatch16_224>("deit_small_distilled_patch16_224", "deit", "VisionTransformerDistilled", "fb_in1k", DeitSmallDistilledPatch16_224.ParameterCountFor,
        [
            new("deit_small_distilled_patch16_224.fb_in1k", "timm/deit_small_distilled_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitSmallPatch16_224>("deit_small_patch16_224", "deit", "VisionTransformer", "fb_in1k", DeitSmallPatch16_224.ParameterCountFor,
        [
            new("deit_small_patch16_224.fb_in1k", "timm/deit_small_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitTinyDistilledPatch16_224>("deit_tiny_distilled_patch16_224", "deit", "VisionTransformerDistilled", "fb_in1k", DeitTinyDistilledPatch16_224.ParameterCountFor,
        [
            new("deit_tiny_distilled_patch16_224.fb_in1k", "timm/deit_tiny_distilled_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<DeitTinyPatch16_224>("deit_tiny_patch16_224", "deit", "VisionTransformer", "fb_in1k", DeitTinyPatch16_224.ParameterCountFor,
        [
            new("deit_tiny_patch16_224.fb_in1k", "timm/deit_tiny_patch16_224.fb_in1k", 1000, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<Eva02BasePatch14_224>("eva02_base_patch14_224", "eva02", "Eva", "mim_in22k", Eva02BasePatch14_224.ParameterCountFor,
        [
            new("eva02_base_patch14_224.mim_in22k", "timm/eva02_base_patch14_224.mim_in22k", 0, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02BasePatch14_448>("eva02_base_patch14_448", "eva02", "Eva", "mim_in22k_ft_in22k_in1k", Eva02BasePatch14_448.ParameterCountFor,
        [
            new("eva02_base_patch14_448.mim_in22k_ft_in1k", "timm/eva02_base_patch14_448.mim_in22k_ft_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
            new("eva02_base_patch14_448.mim_in22k_ft_in22k", "timm/eva02_base_patch14_448.mim_in22k_ft_in22k", 21841, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
            new("eva02_base_patch14_448.mim_in22k_ft_in22k_in1k", "timm/eva02_base_patch14_448.mim_in22k_ft_in22k_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02BasePatch16Clip224>("eva02_base_patch16_clip_224", "eva02", "Eva", "merged2b", Eva02BasePatch16Clip224.ParameterCountFor,
        [
            new("eva02_base_patch16_clip_224.merged2b", "timm/eva02_base_patch16_clip_224.merged2b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02LargePatch14_224>("eva02_large_patch14_224", "eva02", "Eva", "mim_in22k", Eva02LargePatch14_224.ParameterCountFor,
        [
            new("eva02_large_patch14_224.mim_in22k", "timm/eva02_large_patch14_224.mim_in22k", 0, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
            new("eva02_large_patch14_224.mim_m38m", "timm/eva02_large_patch14_224.mim_m38m", 0, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02LargePatch14_448>("eva02_large_patch14_448", "eva02", "Eva", "mim_in22k_ft_in22k_in1k", Eva02LargePatch14_448.ParameterCountFor,
        [
            new("eva02_large_patch14_448.mim_in22k_ft_in1k", "timm/eva02_large_patch14_448.mim_in22k_ft_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
            new("eva02_large_patch14_448.mim_in22k_ft_in22k", "timm/eva02_large_patch14_448.mim_in22k_ft_in22k", 21841, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
            new("eva02_large_patch14_448.mim_in22k_ft_in22k_in1k", "timm/eva02_large_patch14_448.mim_in22k_ft_in22k_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
            new("eva02_large_patch14_448.mim_m38m_ft_in1k", "timm/eva02_large_patch14_448.mim_m38m_ft_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
            new("eva02_large_patch14_448.mim_m38m_ft_in22k", "timm/eva02_large_patch14_448.mim_m38m_ft_in22k", 21841, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
            new("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", "timm/eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02LargePatch14Clip224>("eva02_large_patch14_clip_224", "eva02", "Eva", "merged2b", Eva02LargePatch14Clip224.ParameterCountFor,
        [
            new("eva02_large_patch14_clip_224.merged2b", "timm/eva02_large_patch14_clip_224.merged2b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02LargePatch14Clip336>("eva02_large_patch14_clip_336", "eva02", "Eva", "merged2b", Eva02LargePatch14Clip336.ParameterCountFor,
        [
            new("eva02_large_patch14_clip_336.merged2b", "timm/eva02_large_patch14_clip_336.merged2b", 768, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02SmallPatch14_224>("eva02_small_patch14_224", "eva02", "Eva", "mim_in22k", Eva02SmallPatch14_224.ParameterCountFor,
        [
            new("eva02_small_patch14_224.mim_in22k", "timm/eva02_small_patch14_224.mim_in22k", 0, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02SmallPatch14_336>("eva02_small_patch14_336", "eva02", "Eva", "mim_in22k_ft_in1k", Eva02SmallPatch14_336.ParameterCountFor,
        [
            new("eva02_small_patch14_336.mim_in22k_ft_in1k", "timm/eva02_small_patch14_336.mim_in22k_ft_in1k", 1000, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02TinyPatch14_224>("eva02_tiny_patch14_224", "eva02", "Eva", "mim_in22k", Eva02TinyPatch14_224.ParameterCountFor,
        [
            new("eva02_tiny_patch14_224.mim_in22k", "timm/eva02_tiny_patch14_224.mim_in22k", 0, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<Eva02TinyPatch14_336>("eva02_tiny_patch14_336", "eva02", "Eva", "mim_in22k_ft_in1k", Eva02TinyPatch14_336.ParameterCountFor,
        [
            new("eva02_tiny_patch14_336.mim_in22k_ft_in1k", "timm/eva02_tiny_patch14_336.mim_in22k_ft_in1k", 1000, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<VitBasePatch14Dinov2>("vit_base_patch14_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitBasePatch14Dinov2.ParameterCountFor,
        [
            new("vit_base_patch14_dinov2.lvd142m", "timm/vit_base_patch14_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch14Reg4Dinov2>("vit_base_patch14_reg4_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitBasePatch14Reg4Dinov2.ParameterCountFor,
        [
            new("vit_base_patch14_reg4_dinov2.lvd142m", "timm/vit_base_patch14_reg4_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16_224>("vit_base_patch16_224", "vit", "VisionTransformer", "augreg2_in21k_ft_in1k", VitBasePatch16_224.ParameterCountFor,
        [
            new("vit_base_patch16_224.augreg2_in21k_ft_in1k", "timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.augreg_in1k", "timm/vit_base_patch16_224.augreg_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.augreg_in21k", "timm/vit_base_patch16_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.augreg_in21k_ft_in1k", "timm/vit_base_patch16_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.dino", "timm/vit_base_patch16_224.dino", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.mae", "timm/vit_base_patch16_224.mae", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch16_224.orig_in21k", "timm/vit_base_patch16_224.orig_in21k", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.orig_in21k_ft_in1k", "timm/vit_base_patch16_224.orig_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_224.sam_in1k", "timm/vit_base_patch16_224.sam_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16_224Miil>("vit_base_patch16_224_miil", "vit", "VisionTransformer", "in21k", VitBasePatch16_224Miil.ParameterCountFor,
        [
            new("vit_base_patch16_224_miil.in21k", "timm/vit_base_patch16_224_miil.in21k", 11221, [3, 224, 224], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 0.875, "center", "bilinear", "apache-2.0"),
            new("vit_base_patch16_224_miil.in21k_ft_in1k", "timm/vit_base_patch16_224_miil.in21k_ft_in1k", 1000, [3, 224, 224], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 0.875, "center", "bilinear", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16_384>("vit_base_patch16_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitBasePatch16_384.ParameterCountFor,
        [
            new("vit_base_patch16_384.augreg_in1k", "timm/vit_base_patch16_384.augreg_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_384.augreg_in21k_ft_in1k", "timm/vit_base_patch16_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_384.orig_in21k_ft_in1k", "timm/vit_base_patch16_384.orig_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Clip224>("vit_base_patch16_clip_224", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitBasePatch16Clip224.ParameterCountFor,
        [
            new("vit_base_patch16_clip_224.datacompxl", "timm/vit_base_patch16_clip_224.datacompxl", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.dfn2b", "timm/vit_base_patch16_clip_224.dfn2b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apple-ascl"),
            new("vit_base_patch16_clip_224.laion2b", "timm/vit_base_patch16_clip_224.laion2b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.laion2b_ft_in1k", "timm/vit_base_patch16_clip_224.laion2b_ft_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.laion2b_ft_in12k", "timm/vit_base_patch16_clip_224.laion2b_ft_in12k", 11821, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.laion2b_ft_in12k_in1k", "timm/vit_base_patch16_clip_224.laion2b_ft_in12k_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.95, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.laion400m_e32", "timm/vit_base_patch16_clip_224.laion400m_e32", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
            new("vit_base_patch16_clip_224.metaclip_2pt5b", "timm/vit_base_patch16_clip_224.metaclip_2pt5b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch16_clip_224.metaclip_400m", "timm/vit_base_patch16_clip_224.metaclip_400m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch16_clip_224.openai", "timm/vit_base_patch16_clip_224.openai", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.openai_ft_in1k", "timm/vit_base_patch16_clip_224.openai_ft_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.openai_ft_in12k", "timm/vit_base_patch16_clip_224.openai_ft_in12k", 11821, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_224.openai_ft_in12k_in1k", "timm/vit_base_patch16_clip_224.openai_ft_in12k_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.95, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Clip384>("vit_base_patch16_clip_384", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitBasePatch16Clip384.ParameterCountFor,
        [
            new("vit_base_patch16_clip_384.laion2b_ft_in1k", "timm/vit_base_patch16_clip_384.laion2b_ft_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_384.laion2b_ft_in12k_in1k", "timm/vit_base_patch16_clip_384.laion2b_ft_in12k_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_384.openai_ft_in1k", "timm/vit_base_patch16_clip_384.openai_ft_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "apache-2.0"),
            new("vit_base_patch16_clip_384.openai_ft_in12k_in1k", "timm/vit_base_patch16_clip_384.openai_ft_in12k_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.95, "squash", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16ClipQuickgelu224>("vit_base_patch16_clip_quickgelu_224", "clip-quickgelu", "VisionTransformer", "metaclip_2pt5b", VitBasePatch16ClipQuickgelu224.ParameterCountFor,
        [
            new("vit_base_patch16_clip_quickgelu_224.metaclip_2pt5b", "timm/vit_base_patch16_clip_224.metaclip_2pt5b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch16_clip_quickgelu_224.metaclip_400m", "timm/vit_base_patch16_clip_224.metaclip_400m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch16_clip_quickgelu_224.openai", "timm/vit_base_patch16_clip_224.openai", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Gap224>("vit_base_patch16_gap_224", "vit-gap", "VisionTransformer", "untrained", VitBasePatch16Gap224.ParameterCountFor,
        [],
        untrained: new("vit_base_patch16_gap_224.untrained", null, 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0")),
        TimmArchitecture.Of<VitBasePatch16Reg4Gap256>("vit_base_patch16_reg4_gap_256", "vit-gap", "VisionTransformer", "untrained", VitBasePatch16Reg4Gap256.ParameterCountFor,
        [],
        untrained: new("vit_base_patch16_reg4_gap_256.untrained", null, 1000, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0")),
        TimmArchitecture.Of<VitBasePatch16Siglip224>("vit_base_patch16_siglip_224", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16Siglip224.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_224.v2_webli", "timm/vit_base_patch16_siglip_224.v2_webli", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_224.webli", "timm/vit_base_patch16_siglip_224.webli", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Siglip256>("vit_base_patch16_siglip_256", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16Siglip256.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_256.v2_webli", "timm/vit_base_patch16_siglip_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_256.webli", "timm/vit_base_patch16_siglip_256.webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_256.webli_i18n", "timm/vit_base_patch16_siglip_256.webli_i18n", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Siglip384>("vit_base_patch16_siglip_384", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16Siglip384.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_384.v2_webli", "timm/vit_base_patch16_siglip_384.v2_webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_384.webli", "timm/vit_base_patch16_siglip_384.webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16Siglip512>("vit_base_patch16_siglip_512", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16Siglip512.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_512.v2_webli", "timm/vit_base_patch16_siglip_512.v2_webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_512.webli", "timm/vit_base_patch16_siglip_512.webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16SiglipGap224>("vit_base_patch16_siglip_gap_224", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16SiglipGap224.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_gap_224.v2_webli", "timm/vit_base_patch16_siglip_gap_224.v2_webli", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_gap_224.webli", "timm/vit_base_patch16_siglip_gap_224.webli", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16SiglipGap256>("vit_base_patch16_siglip_gap_256", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16SiglipGap256.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_gap_256.v2_webli", "timm/vit_base_patch16_siglip_gap_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_gap_256.webli", "timm/vit_base_patch16_siglip_gap_256.webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_gap_256.webli_i18n", "timm/vit_base_patch16_siglip_gap_256.webli_i18n", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16SiglipGap384>("vit_base_patch16_siglip_gap_384", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16SiglipGap384.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_gap_384.v2_webli", "timm/vit_base_patch16_siglip_gap_384.v2_webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_gap_384.webli", "timm/vit_base_patch16_siglip_gap_384.webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch16SiglipGap512>("vit_base_patch16_siglip_gap_512", "siglip", "VisionTransformer", "v2_webli", VitBasePatch16SiglipGap512.ParameterCountFor,
        [
            new("vit_base_patch16_siglip_gap_512.v2_webli", "timm/vit_base_patch16_siglip_gap_512.v2_webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch16_siglip_gap_512.webli", "timm/vit_base_patch16_siglip_gap_512.webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32_224>("vit_base_patch32_224", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitBasePatch32_224.ParameterCountFor,
        [
            new("vit_base_patch32_224.augreg_in1k", "timm/vit_base_patch32_224.augreg_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_224.augreg_in21k", "timm/vit_base_patch32_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_224.augreg_in21k_ft_in1k", "timm/vit_base_patch32_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_224.orig_in21k", "timm/vit_base_patch32_224.orig_in21k", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_224.sam_in1k", "timm/vit_base_patch32_224.sam_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32_384>("vit_base_patch32_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitBasePatch32_384.ParameterCountFor,
        [
            new("vit_base_patch32_384.augreg_in1k", "timm/vit_base_patch32_384.augreg_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_384.augreg_in21k_ft_in1k", "timm/vit_base_patch32_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32Clip224>("vit_base_patch32_clip_224", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitBasePatch32Clip224.ParameterCountFor,
        [
            new("vit_base_patch32_clip_224.datacompxl", "timm/vit_base_patch32_clip_224.datacompxl", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_224.laion2b", "timm/vit_base_patch32_clip_224.laion2b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_224.laion2b_ft_in1k", "timm/vit_base_patch32_clip_224.laion2b_ft_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_224.laion2b_ft_in12k_in1k", "timm/vit_base_patch32_clip_224.laion2b_ft_in12k_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_224.laion400m_e32", "timm/vit_base_patch32_clip_224.laion400m_e32", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
            new("vit_base_patch32_clip_224.metaclip_2pt5b", "timm/vit_base_patch32_clip_224.metaclip_2pt5b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch32_clip_224.metaclip_400m", "timm/vit_base_patch32_clip_224.metaclip_400m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch32_clip_224.openai", "timm/vit_base_patch32_clip_224.openai", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_224.openai_ft_in1k", "timm/vit_base_patch32_clip_224.openai_ft_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32Clip256>("vit_base_patch32_clip_256", "clip", "VisionTransformer", "datacompxl", VitBasePatch32Clip256.ParameterCountFor,
        [
            new("vit_base_patch32_clip_256.datacompxl", "timm/vit_base_patch32_clip_256.datacompxl", 512, [3, 256, 256], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32Clip384>("vit_base_patch32_clip_384", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitBasePatch32Clip384.ParameterCountFor,
        [
            new("vit_base_patch32_clip_384.laion2b_ft_in12k_in1k", "timm/vit_base_patch32_clip_384.laion2b_ft_in12k_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch32_clip_384.openai_ft_in12k_in1k", "timm/vit_base_patch32_clip_384.openai_ft_in12k_in1k", 1000, [3, 384, 384], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.95, "squash", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32Clip448>("vit_base_patch32_clip_448", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitBasePatch32Clip448.ParameterCountFor,
        [
            new("vit_base_patch32_clip_448.laion2b_ft_in12k_in1k", "timm/vit_base_patch32_clip_448.laion2b_ft_in12k_in1k", 1000, [3, 448, 448], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32ClipQuickgelu224>("vit_base_patch32_clip_quickgelu_224", "clip-quickgelu", "VisionTransformer", "laion400m_e32", VitBasePatch32ClipQuickgelu224.ParameterCountFor,
        [
            new("vit_base_patch32_clip_quickgelu_224.laion400m_e32", "timm/vit_base_patch32_clip_224.laion400m_e32", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
            new("vit_base_patch32_clip_quickgelu_224.metaclip_2pt5b", "timm/vit_base_patch32_clip_224.metaclip_2pt5b", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch32_clip_quickgelu_224.metaclip_400m", "timm/vit_base_patch32_clip_224.metaclip_400m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_base_patch32_clip_quickgelu_224.openai", "timm/vit_base_patch32_clip_224.openai", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32Siglip256>("vit_base_patch32_siglip_256", "siglip", "VisionTransformer", "v2_webli", VitBasePatch32Siglip256.ParameterCountFor,
        [
            new("vit_base_patch32_siglip_256.v2_webli", "timm/vit_base_patch32_siglip_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch32SiglipGap256>("vit_base_patch32_siglip_gap_256", "siglip", "VisionTransformer", "v2_webli", VitBasePatch32SiglipGap256.ParameterCountFor,
        [
            new("vit_base_patch32_siglip_gap_256.v2_webli", "timm/vit_base_patch32_siglip_gap_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitBasePatch8_224>("vit_base_patch8_224", "vit", "VisionTransformer", "augreg2_in21k_ft_in1k", VitBasePatch8_224.ParameterCountFor,
        [
            new("vit_base_patch8_224.augreg2_in21k_ft_in1k", "timm/vit_base_patch8_224.augreg2_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch8_224.augreg_in21k", "timm/vit_base_patch8_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch8_224.augreg_in21k_ft_in1k", "timm/vit_base_patch8_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_base_patch8_224.dino", "timm/vit_base_patch8_224.dino", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14_224>("vit_large_patch14_224", "vit", "VisionTransformer", "untrained", VitLargePatch14_224.ParameterCountFor,
        [],
        untrained: new("vit_large_patch14_224.untrained", null, 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0")),
        TimmArchitecture.Of<VitLargePatch14Clip224>("vit_large_patch14_clip_224", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitLargePatch14Clip224.ParameterCountFor,
        [
            new("vit_large_patch14_clip_224.apple_mclip2_dfndr2b", "timm/vit_large_patch14_clip_224.apple_mclip2_dfndr2b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apple-amlr"),
            new("vit_large_patch14_clip_224.datacompxl", "timm/vit_large_patch14_clip_224.datacompxl", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.dfn2b", "timm/vit_large_patch14_clip_224.dfn2b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apple-ascl"),
            new("vit_large_patch14_clip_224.dfn2b_s39b", "timm/vit_large_patch14_clip_224.dfn2b_s39b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apple-ascl"),
            new("vit_large_patch14_clip_224.laion2b", "timm/vit_large_patch14_clip_224.laion2b", 768, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.laion2b_ft_in1k", "timm/vit_large_patch14_clip_224.laion2b_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.laion2b_ft_in12k", "timm/vit_large_patch14_clip_224.laion2b_ft_in12k", 11821, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.laion2b_ft_in12k_in1k", "timm/vit_large_patch14_clip_224.laion2b_ft_in12k_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.laion400m_e32", "timm/vit_large_patch14_clip_224.laion400m_e32", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "mit"),
            new("vit_large_patch14_clip_224.metaclip_2pt5b", "timm/vit_large_patch14_clip_224.metaclip_2pt5b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_large_patch14_clip_224.metaclip_400m", "timm/vit_large_patch14_clip_224.metaclip_400m", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_large_patch14_clip_224.openai", "timm/vit_large_patch14_clip_224.openai", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.openai_ft_in1k", "timm/vit_large_patch14_clip_224.openai_ft_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.openai_ft_in12k", "timm/vit_large_patch14_clip_224.openai_ft_in12k", 11821, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_224.openai_ft_in12k_in1k", "timm/vit_large_patch14_clip_224.openai_ft_in12k_in1k", 1000, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14Clip336>("vit_large_patch14_clip_336", "clip", "VisionTransformer", "laion2b_ft_in12k_in1k", VitLargePatch14Clip336.ParameterCountFor,
        [
            new("vit_large_patch14_clip_336.laion2b_ft_in1k", "timm/vit_large_patch14_clip_336.laion2b_ft_in1k", 1000, [3, 336, 336], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "squash", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_336.laion2b_ft_in12k_in1k", "timm/vit_large_patch14_clip_336.laion2b_ft_in12k_in1k", 1000, [3, 336, 336], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "squash", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_336.openai", "timm/vit_large_patch14_clip_336.openai", 768, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch14_clip_336.openai_ft_in12k_in1k", "timm/vit_large_patch14_clip_336.openai_ft_in12k_in1k", 1000, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "squash", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14ClipQuickgelu224>("vit_large_patch14_clip_quickgelu_224", "clip-quickgelu", "VisionTransformer", "dfn2b", VitLargePatch14ClipQuickgelu224.ParameterCountFor,
        [
            new("vit_large_patch14_clip_quickgelu_224.dfn2b", "timm/vit_large_patch14_clip_224.dfn2b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apple-ascl"),
            new("vit_large_patch14_clip_quickgelu_224.metaclip_2pt5b", "timm/vit_large_patch14_clip_224.metaclip_2pt5b", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_large_patch14_clip_quickgelu_224.metaclip_400m", "timm/vit_large_patch14_clip_224.metaclip_400m", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_large_patch14_clip_quickgelu_224.openai", "timm/vit_large_patch14_clip_224.openai", 768, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14ClipQuickgelu336>("vit_large_patch14_clip_quickgelu_336", "clip-quickgelu", "VisionTransformer", "openai", VitLargePatch14ClipQuickgelu336.ParameterCountFor,
        [
            new("vit_large_patch14_clip_quickgelu_336.openai", "timm/vit_large_patch14_clip_336.openai", 768, [3, 336, 336], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14Dinov2>("vit_large_patch14_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitLargePatch14Dinov2.ParameterCountFor,
        [
            new("vit_large_patch14_dinov2.lvd142m", "timm/vit_large_patch14_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch14Reg4Dinov2>("vit_large_patch14_reg4_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitLargePatch14Reg4Dinov2.ParameterCountFor,
        [
            new("vit_large_patch14_reg4_dinov2.lvd142m", "timm/vit_large_patch14_reg4_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16_224>("vit_large_patch16_224", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitLargePatch16_224.ParameterCountFor,
        [
            new("vit_large_patch16_224.augreg_in21k", "timm/vit_large_patch16_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_224.augreg_in21k_ft_in1k", "timm/vit_large_patch16_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_224.mae", "timm/vit_large_patch16_224.mae", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "cc-by-nc-4.0"),
            new("vit_large_patch16_224.orig_in21k", "timm/vit_large_patch16_224.orig_in21k", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16_384>("vit_large_patch16_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitLargePatch16_384.ParameterCountFor,
        [
            new("vit_large_patch16_384.augreg_in21k_ft_in1k", "timm/vit_large_patch16_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16Siglip256>("vit_large_patch16_siglip_256", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16Siglip256.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_256.v2_webli", "timm/vit_large_patch16_siglip_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_siglip_256.webli", "timm/vit_large_patch16_siglip_256.webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16Siglip384>("vit_large_patch16_siglip_384", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16Siglip384.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_384.v2_webli", "timm/vit_large_patch16_siglip_384.v2_webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_siglip_384.webli", "timm/vit_large_patch16_siglip_384.webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16Siglip512>("vit_large_patch16_siglip_512", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16Siglip512.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_512.v2_webli", "timm/vit_large_patch16_siglip_512.v2_webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16SiglipGap256>("vit_large_patch16_siglip_gap_256", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16SiglipGap256.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_gap_256.v2_webli", "timm/vit_large_patch16_siglip_gap_256.v2_webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_siglip_gap_256.webli", "timm/vit_large_patch16_siglip_gap_256.webli", 0, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16SiglipGap384>("vit_large_patch16_siglip_gap_384", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16SiglipGap384.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_gap_384.v2_webli", "timm/vit_large_patch16_siglip_gap_384.v2_webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_large_patch16_siglip_gap_384.webli", "timm/vit_large_patch16_siglip_gap_384.webli", 0, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch16SiglipGap512>("vit_large_patch16_siglip_gap_512", "siglip", "VisionTransformer", "v2_webli", VitLargePatch16SiglipGap512.ParameterCountFor,
        [
            new("vit_large_patch16_siglip_gap_512.v2_webli", "timm/vit_large_patch16_siglip_gap_512.v2_webli", 0, [3, 512, 512], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch32_224>("vit_large_patch32_224", "vit", "VisionTransformer", "orig_in21k", VitLargePatch32_224.ParameterCountFor,
        [
            new("vit_large_patch32_224.orig_in21k", "timm/vit_large_patch32_224.orig_in21k", 0, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitLargePatch32_384>("vit_large_patch32_384", "vit", "VisionTransformer", "orig_in21k_ft_in1k", VitLargePatch32_384.ParameterCountFor,
        [
            new("vit_large_patch32_384.orig_in21k_ft_in1k", "timm/vit_large_patch32_384.orig_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Clip224>("vit_medium_patch16_clip_224", "clip", "VisionTransformer", "tinyclip_yfcc15m", VitMediumPatch16Clip224.ParameterCountFor,
        [
            new("vit_medium_patch16_clip_224.tinyclip_yfcc15m", "timm/vit_medium_patch16_clip_224.tinyclip_yfcc15m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Gap240>("vit_medium_patch16_gap_240", "vit-gap", "VisionTransformer", "sw_in12k", VitMediumPatch16Gap240.ParameterCountFor,
        [
            new("vit_medium_patch16_gap_240.sw_in12k", "timm/vit_medium_patch16_gap_240.sw_in12k", 11821, [3, 240, 240], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Gap256>("vit_medium_patch16_gap_256", "vit-gap", "VisionTransformer", "sw_in12k_ft_in1k", VitMediumPatch16Gap256.ParameterCountFor,
        [
            new("vit_medium_patch16_gap_256.sw_in12k_ft_in1k", "timm/vit_medium_patch16_gap_256.sw_in12k_ft_in1k", 1000, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Gap384>("vit_medium_patch16_gap_384", "vit-gap", "VisionTransformer", "sw_in12k_ft_in1k", VitMediumPatch16Gap384.ParameterCountFor,
        [
            new("vit_medium_patch16_gap_384.sw_in12k_ft_in1k", "timm/vit_medium_patch16_gap_384.sw_in12k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "squash", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Reg1Gap256>("vit_medium_patch16_reg1_gap_256", "vit-gap", "VisionTransformer", "sbb_in1k", VitMediumPatch16Reg1Gap256.ParameterCountFor,
        [
            new("vit_medium_patch16_reg1_gap_256.sbb_in1k", "timm/vit_medium_patch16_reg1_gap_256.sbb_in1k", 1000, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch16Reg4Gap256>("vit_medium_patch16_reg4_gap_256", "vit-gap", "VisionTransformer", "sbb_in12k_ft_in1k", VitMediumPatch16Reg4Gap256.ParameterCountFor,
        [
            new("vit_medium_patch16_reg4_gap_256.sbb_in1k", "timm/vit_medium_patch16_reg4_gap_256.sbb_in1k", 1000, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
            new("vit_medium_patch16_reg4_gap_256.sbb_in12k", "timm/vit_medium_patch16_reg4_gap_256.sbb_in12k", 11821, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
            new("vit_medium_patch16_reg4_gap_256.sbb_in12k_ft_in1k", "timm/vit_medium_patch16_reg4_gap_256.sbb_in12k_ft_in1k", 1000, [3, 256, 256], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.95, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitMediumPatch32Clip224>("vit_medium_patch32_clip_224", "clip", "VisionTransformer", "tinyclip_laion400m", VitMediumPatch32Clip224.ParameterCountFor,
        [
            new("vit_medium_patch32_clip_224.tinyclip_laion400m", "timm/vit_medium_patch32_clip_224.tinyclip_laion400m", 512, [3, 224, 224], [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711], 0.9, "center", "bicubic", "mit"),
        ]),
        TimmArchitecture.Of<VitSmallPatch14Dinov2>("vit_small_patch14_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitSmallPatch14Dinov2.ParameterCountFor,
        [
            new("vit_small_patch14_dinov2.lvd142m", "timm/vit_small_patch14_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch14Reg4Dinov2>("vit_small_patch14_reg4_dinov2", "dinov2", "VisionTransformer", "lvd142m", VitSmallPatch14Reg4Dinov2.ParameterCountFor,
        [
            new("vit_small_patch14_reg4_dinov2.lvd142m", "timm/vit_small_patch14_reg4_dinov2.lvd142m", 0, [3, 518, 518], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch16_224>("vit_small_patch16_224", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitSmallPatch16_224.ParameterCountFor,
        [
            new("vit_small_patch16_224.augreg_in1k", "timm/vit_small_patch16_224.augreg_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_small_patch16_224.augreg_in21k", "timm/vit_small_patch16_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_small_patch16_224.augreg_in21k_ft_in1k", "timm/vit_small_patch16_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_small_patch16_224.dino", "timm/vit_small_patch16_224.dino", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch16_384>("vit_small_patch16_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitSmallPatch16_384.ParameterCountFor,
        [
            new("vit_small_patch16_384.augreg_in1k", "timm/vit_small_patch16_384.augreg_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
            new("vit_small_patch16_384.augreg_in21k_ft_in1k", "timm/vit_small_patch16_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch32_224>("vit_small_patch32_224", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitSmallPatch32_224.ParameterCountFor,
        [
            new("vit_small_patch32_224.augreg_in21k", "timm/vit_small_patch32_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_small_patch32_224.augreg_in21k_ft_in1k", "timm/vit_small_patch32_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch32_384>("vit_small_patch32_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitSmallPatch32_384.ParameterCountFor,
        [
            new("vit_small_patch32_384.augreg_in21k_ft_in1k", "timm/vit_small_patch32_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitSmallPatch8_224>("vit_small_patch8_224", "vit", "VisionTransformer", "dino", VitSmallPatch8_224.ParameterCountFor,
        [
            new("vit_small_patch8_224.dino", "timm/vit_small_patch8_224.dino", 0, [3, 224, 224], [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitTinyPatch16_224>("vit_tiny_patch16_224", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitTinyPatch16_224.ParameterCountFor,
        [
            new("vit_tiny_patch16_224.augreg_in21k", "timm/vit_tiny_patch16_224.augreg_in21k", 21843, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
            new("vit_tiny_patch16_224.augreg_in21k_ft_in1k", "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k", 1000, [3, 224, 224], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9, "center", "bicubic", "apache-2.0"),
        ]),
        TimmArchitecture.Of<VitTinyPatch16_384>("vit_tiny_patch16_384", "vit", "VisionTransformer", "augreg_in21k_ft_in1k", VitTinyPatch16_384.ParameterCountFor,
        [
            new("vit_tiny_patch16_384.augreg_in21k_ft_in1k", "timm/vit_tiny_patch16_384.augreg_in21k_ft_in1k", 1000, [3, 384, 384], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 1.0, "center", "bicubic", "apache-2.0"),
        ]),
    ];
}
