using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage("ApiDesign", "RS0016:Add public types and members to the declared API", Scope = "namespaceanddescendants", Target = "~N:ShapedVit.Models.Catalogue",
    Justification = "The generator writes these types' members; its snapshot tests review that surface.")]
