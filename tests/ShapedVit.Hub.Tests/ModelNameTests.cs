namespace ShapedVit.Hub.Tests;

public sealed class ModelNameTests
{
    [Fact]
    public void A_timm_name_with_a_tag_is_the_timm_repo_of_that_name()
    {
        var name = HubModelName.Parse("vit_small_patch14_dinov2.lvd142m");

        Assert.Equal("timm/vit_small_patch14_dinov2.lvd142m", name.RepoId);
        Assert.Equal("main", name.Revision);
        Assert.Equal("vit_small_patch14_dinov2", name.Architecture);
        Assert.Equal("lvd142m", name.Tag);
        Assert.False(name.IsHubRepo);
    }

    [Fact]
    public void A_bare_architecture_takes_the_default_tag_the_catalogue_gives()
    {
        var name = HubModelName.Parse("vit_base_patch16_224", arch => arch == "vit_base_patch16_224" ? "augreg2_in21k_ft_in1k" : null);

        Assert.Equal("timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", name.RepoId);
        Assert.Equal("augreg2_in21k_ft_in1k", name.Tag);
    }

    [Theory]
    [InlineData("vit_small_patch14_dinov2", "timm/vit_small_patch14_dinov2.lvd142m", "lvd142m")]
    [InlineData("vit_base_patch16_224", "timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", "augreg2_in21k_ft_in1k")]
    [InlineData("deit3_base_patch16_224", "timm/deit3_base_patch16_224.fb_in1k", "fb_in1k")]
    [InlineData("vit_base_patch16_siglip_224", "timm/vit_base_patch16_siglip_224.v2_webli", "v2_webli")]
    // timm publishes the quick_gelu CLIPs under the plain CLIP repo: the registry's hf_hub_id, not timm/arch.tag.
    [InlineData("vit_base_patch16_clip_quickgelu_224.openai", "timm/vit_base_patch16_clip_224.openai", "openai")]
    [InlineData("vit_large_patch14_clip_quickgelu_336", "timm/vit_large_patch14_clip_336.openai", "openai")]
    [InlineData("vit_tiny_patch16_224.augreg_in21k", "timm/vit_tiny_patch16_224.augreg_in21k", "augreg_in21k")]
    public void A_name_resolves_as_timms_registry_resolves_it(string text, string repo, string tag)
    {
        var name = HubModelName.Parse(text, TimmFixtureRegistry.Instance);

        Assert.Equal(repo, name.RepoId);
        Assert.Equal(tag, name.Tag);
        Assert.Equal(text.Split('.')[0], name.Architecture);
        Assert.Equal("main", name.Revision);
    }

    [Fact]
    public void An_architecture_the_registry_has_no_weights_for_is_one_line()
    {
        var error = Assert.Throws<HubException>(() => HubModelName.Parse("vit_large_patch14_224", TimmFixtureRegistry.Instance));

        Assert.Equal("'vit_large_patch14_224' names no pretrained tag and no default tag is known for it: write arch.tag (the tags are the timm/vit_large_patch14_224.* repos on the Hub)", error.Message);
    }

    [Fact]
    public void A_registry_repo_that_is_not_a_repo_id_is_refused()
    {
        var error = Assert.Throws<HubException>(() => HubModelName.Parse("vit_x.tag", new BadRegistry()));

        Assert.Equal(HubErrorKind.InvalidName, error.Kind);
    }

    private sealed class BadRegistry : IPretrainedRegistry
    {
        public string? DefaultTag(string architecture) => null;
        public string? HubId(string architecture, string tag) => "timm/../etc";
    }

    [Fact]
    public void A_bare_architecture_without_a_default_tag_is_one_line()
    {
        var error = Assert.Throws<HubException>(() => HubModelName.Parse("vit_base_patch16_224"));

        Assert.Equal("'vit_base_patch16_224' names no pretrained tag and no default tag is known for it: write arch.tag (the tags are the timm/vit_base_patch16_224.* repos on the Hub)", error.Message);
    }

    [Theory]
    [InlineData("hf-hub:facebook/dinov2-small", "facebook/dinov2-small", "main")]
    [InlineData("hf-hub:timm/vit_tiny_patch16_224.augreg_in21k@refs/pr/3", "timm/vit_tiny_patch16_224.augreg_in21k", "refs/pr/3")]
    [InlineData("hf_hub:google/siglip-base-patch16-224@v1.0", "google/siglip-base-patch16-224", "v1.0")]
    public void An_hf_hub_name_is_that_repo_at_that_revision(string text, string repo, string revision)
    {
        var name = HubModelName.Parse(text);

        Assert.Equal(repo, name.RepoId);
        Assert.Equal(revision, name.Revision);
        Assert.True(name.IsHubRepo);
        Assert.Null(name.Architecture);
    }

    [Theory]
    [InlineData("hf-hub:dinov2-small", "'hf-hub:dinov2-small': an hf-hub: name needs org/repo, e.g. hf-hub:timm/vit_small_patch16_224.augreg_in21k_ft_in1k")]
    [InlineData("vit/../../x", "'vit/../../x' is not a model name: use timm's arch.tag (vit_small_patch16_224.augreg_in21k_ft_in1k), a bare arch, or hf-hub:org/repo")]
    [InlineData("vit_small.tag/../x", "'vit_small.tag/../x': 'tag/../x' is not a timm pretrained tag (letters, digits, '_' and '-')")]
    [InlineData("hf-hub:org/../name", "'org/../name' is not a Hub repo id: use org/name (letters, digits, '-', '_', '.'; no '--' or '..')")]
    public void Malformed_names_are_one_line(string text, string message)
    {
        var error = Assert.Throws<HubException>(() => HubModelName.Parse(text));

        Assert.Equal(HubErrorKind.InvalidName, error.Kind);
        Assert.Equal(message, error.Message);
    }
}
