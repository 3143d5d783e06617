using ShapedVit.Testing;

namespace ShapedVit.Hub.Tests;

public sealed class OptionsTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_cache_root_is_found_as_huggingface_hub_finds_it()
    {
        Assert.Equal("/c/hub-cache", HubOptions.DefaultCacheDirectory(Environment(("HF_HUB_CACHE", "/c/hub-cache"), ("HF_HOME", "/h"))));
        Assert.Equal(Path.Combine("/h", "hub"), HubOptions.DefaultCacheDirectory(Environment(("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/x"))));
        Assert.Equal(Path.Combine("/x", "huggingface", "hub"), HubOptions.DefaultCacheDirectory(Environment(("XDG_CACHE_HOME", "/x"), ("HOME", "/home/u"))));
        Assert.Equal(Path.Combine("/home/u", ".cache", "huggingface", "hub"), HubOptions.DefaultCacheDirectory(Environment(("HOME", "/home/u"))));
        Assert.Equal(Path.Combine("/home/u", "models"), HubOptions.DefaultCacheDirectory(Environment(("HF_HUB_CACHE", "~/models"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void Endpoint_offline_and_token_come_from_the_environment_or_the_token_file()
    {
        using var home = new TempDirectory();
        File.WriteAllText(Path.Combine(home.Path, "token"), "hf_fromFILE\n");

        var fromFile = HubOptions.FromEnvironment(Environment(("HF_HOME", home.Path), ("HF_ENDPOINT", "http://127.0.0.1:9/"), ("HF_HUB_OFFLINE", "1")));
        var fromVariable = HubOptions.FromEnvironment(Environment(("HF_HOME", home.Path), ("HF_TOKEN", "hf_fromVARIABLE")));

        Assert.Equal("hf_fromFILE", fromFile.Token);
        Assert.Equal(new Uri("http://127.0.0.1:9"), fromFile.Endpoint);
        Assert.True(fromFile.Offline);
        Assert.Equal("hf_fromVARIABLE", fromVariable.Token);
        Assert.False(fromVariable.Offline);
        Assert.Equal(new Uri(HubOptions.DefaultEndpoint), fromVariable.Endpoint);
        Assert.DoesNotContain("hf_from", fromFile.ToString() + fromVariable.ToString());
    }

    [Fact]
    public void An_endpoint_that_is_not_http_is_one_line()
    {
        var error = Assert.Throws<HubException>(() => HubOptions.FromEnvironment(Environment(("HF_ENDPOINT", "file:///etc"))));

        Assert.Equal("HF_ENDPOINT 'file:///etc' is not an http(s) URL: set it to the Hub's address, e.g. https://huggingface.co", error.Message);
    }
}
