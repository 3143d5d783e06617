using System.Text.Json;
using ShapedVit.Checkpoints;
using ShapedVit.Hub;
using ShapedVit.Samples.Classify;
using ShapedVit.Samples.FineTune;
using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using SkiaSharp;
using TorchSharp;

namespace ShapedVit.Samples.Tests;

/// <summary>
/// <c>classify IMAGE --model NAME</c> and <c>finetune DATA_DIR --model NAME</c> against the loopback Hub of
/// ShapedVit.Testing (HF_ENDPOINT points the CLI at it, HF_HUB_CACHE at a temporary cache): a tiny timm-format repo with
/// config.json and the model.safetensors of the FashionMnist sample's declared model. Nothing here touches the internet.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class PretrainedCommandTests : LoopbackHubTest
{
    private const string Name = "FashionVit.tiny";
    private const string Repo = "timm/FashionVit.tiny";
    // Not the FashionMnist names the catalogue knows: what classify prints must come from the repo's label_names.
    private static readonly string[] RepoLabels = ["t-shirt (repo)", "trouser (repo)", "pullover (repo)", "dress (repo)", "coat (repo)",
                                                   "sandal (repo)", "shirt (repo)", "sneaker (repo)", "bag (repo)", "boot (repo)"];
    private static string Slice => Path.Combine(RepositoryRoot.Path, "samples", "data", "fashion-5-9-folder");

    private string Cache => Path.Combine(Folder.Path, "hub");

    private string? Environment(string variable) => variable switch
    {
        "HF_ENDPOINT" => Hub.Endpoint.AbsoluteUri,
        "HF_HUB_CACHE" => Cache,
        _ => null,
    };

    private static string TimmConfig(int classes = 10) => JsonSerializer.Serialize(new
    {
        architecture = FashionModel.Name,
        num_classes = classes,
        label_names = RepoLabels.Take(classes),
        pretrained_cfg = new { input_size = new[] { 1, 28, 28 }, mean = new[] { 0.2860 }, std = new[] { 0.3530 }, crop_pct = 1.0, interpolation = "bicubic" },
    });

    /// <summary>The weights as timm publishes them: plain safetensors, no ShapedVit metadata.</summary>
    private byte[] Weights(Dictionary<string, string>? keep = null)
    {
        string path = Folder.File("weights-" + Guid.NewGuid().ToString("N") + ".safetensors");
        using var model = FashionModel.Create(7);
        Safetensors.Write(path, model.state_dict().Where(p => keep is null || keep.ContainsKey(p.Key)));
        return File.ReadAllBytes(path);
    }

    private FakeFile AddTinyRepo(string repo = Repo)
    {
        Hub.Add(repo, "config.json", TestBytes(TimmConfig()), lfs: false);
        return Hub.Add(repo, "model.safetensors", Weights());
    }

    private static byte[] TestBytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private string Image()
    {
        string path = Folder.File("shoe.png");
        if (!File.Exists(path)) File.WriteAllBytes(path, TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9), (byte)(y * 9), (byte)(x * y % 256))));
        return path;
    }

    private (int Code, string Output, string Error) Classify(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(args, output, error, options => new ClassifyApp(options, output, error, environment: Environment).Run());
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }

    private (int Code, string Output, string Error) FineTune(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FineTuneCommand.Run(args, output, error, options => new FineTuneApp(options, output, error, environment: Environment).Run());
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString().Replace("\r\n", "\n"));
    }

    private static string[] Probabilities(string output) =>
        output.Split('\n').Where(l => l.StartsWith("  0.", StringComparison.Ordinal) || l.StartsWith("  1.", StringComparison.Ordinal)).Select(l => l.Trim().Split("  ")[0]).ToArray();

    [Fact]
    public void Classify_with_a_model_name_downloads_the_repo_prints_its_label_names_and_matches_the_same_weights_from_a_file()
    {
        var weights = AddTinyRepo();

        var (code, output, error) = Classify(Image(), "--model", Name, "--top", "3");

        Assert.True(code == 0, error + output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Image() + ":", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.All(lines.Skip(1), line => Assert.EndsWith("(repo)", line));
        Assert.Contains("downloading model.safetensors (", error);
        Assert.Contains($"downloaded model.safetensors ({DownloadBar.Size(weights.Content.Length)}, ", error);
        Assert.Contains($"pretrained: {Name} is {Repo}@{Hub.Repos[Repo].Commit[..8]} (FashionVit), downloaded to {Path.Combine(Cache, "models--timm--FashionVit.tiny", "snapshots", Hub.Repos[Repo].Commit)}", error);
        Assert.DoesNotContain("error", error);

        // The oracle: the same bytes as a checkpoint file give the same probabilities.
        string file = Folder.File("same.safetensors");
        File.WriteAllBytes(file, weights.Content);
        var (fileCode, fileOutput, fileError) = Classify(Image(), "--checkpoint", file, "--model", FashionModel.Name, "--top", "3", "--labels", WriteLabels());
        Assert.True(fileCode == 0, fileError);
        Assert.Equal(Probabilities(fileOutput), Probabilities(output));
        Assert.Equal(fileOutput.Split('\n').Skip(1), output.Split('\n').Skip(1));
    }

    private string WriteLabels()
    {
        string path = Folder.File("labels.txt");
        File.WriteAllLines(path, RepoLabels);
        return path;
    }

    [Fact]
    public void A_second_run_reuses_the_cache_and_offline_sends_no_request()
    {
        AddTinyRepo();
        var (first, _, firstError) = Classify(Image(), "--model", Name);
        Assert.True(first == 0, firstError);
        int requests = Hub.Requests.Count;

        var (code, output, error) = Classify(Image(), "--model", Name, "--offline");

        Assert.True(code == 0, error);
        Assert.Equal(requests, Hub.Requests.Count);
        Assert.Contains("from the cache", error);
        Assert.DoesNotContain("downloading", error);
        Assert.Contains("(repo)", output);
    }

    [Fact]
    public void Offline_with_nothing_cached_is_one_line_and_sends_no_request()
    {
        AddTinyRepo();

        var (code, output, error) = Classify(Image(), "--model", Name, "--offline");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"error: {Repo}@main config.json is not in the cache {Cache} and the Hub is offline (HF_HUB_OFFLINE / --offline): run once online to download it\n", error);
        Assert.Empty(Hub.Requests);
    }

    [Fact]
    public void A_repo_with_only_pickled_weights_is_one_line_naming_the_repo()
    {
        Hub.Add(Repo, "config.json", TestBytes(TimmConfig()), lfs: false);
        Hub.Add(Repo, "pytorch_model.bin", FakeHub.Bytes(2_000));

        var (code, _, error) = Classify(Image(), "--model", Name);

        Assert.Equal(1, code);
        Assert.EndsWith($"\nerror: {Repo}@main has only pickled PyTorch weights (pytorch_model.bin), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has model.safetensors\n", error);
        Assert.Single(error.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void Sharded_weights_load_as_one_checkpoint_and_give_the_single_files_answer()
    {
        var single = AddTinyRepo();
        const string sharded = "someone/fashion-sharded";
        using var model = FashionModel.Create(7);
        var keys = model.state_dict().Keys.ToList();
        var firstHalf = keys.Take(keys.Count / 2).ToDictionary(k => k, k => "");
        var secondHalf = keys.Skip(keys.Count / 2).ToDictionary(k => k, k => "");
        var map = keys.ToDictionary(k => k, k => firstHalf.ContainsKey(k) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        Hub.Add(sharded, "config.json", TestBytes(TimmConfig()), lfs: false);
        Hub.Add(sharded, "model.safetensors.index.json", TestBytes(JsonSerializer.Serialize(new { metadata = new { total_size = single.Content.Length }, weight_map = map })), lfs: false);
        Hub.Add(sharded, "model-00001-of-00002.safetensors", Weights(firstHalf));
        Hub.Add(sharded, "model-00002-of-00002.safetensors", Weights(secondHalf));

        var (code, output, error) = Classify(Image(), "--model", "hf-hub:" + sharded, "--top", "3");
        var (singleCode, singleOutput, singleError) = Classify(Image(), "--model", Name, "--top", "3");

        Assert.True(code == 0, error);
        Assert.True(singleCode == 0, singleError);
        Assert.Equal(singleOutput.Split('\n').Skip(1), output.Split('\n').Skip(1));
        Assert.Contains("downloaded model-00002-of-00002.safetensors", error);
    }

    [Fact]
    public void Finetune_with_a_model_name_starts_from_the_pretrained_backbone_with_a_new_head()
    {
        AddTinyRepo();
        string outDir = Path.Combine(Folder.Path, "run");

        var (code, output, error) = FineTune(Slice, "--model", Name, "--out", outDir, "--epochs", "1", "--batch-size", "8", "--plain", "--threads", "1");

        Assert.True(code == 0, error + output);
        Assert.Contains($"model: {nameof(FashionVitFineTune)} with 5 classes from {Repo} ({Name}, Timm naming)", output);
        string head = output.Split('\n').Single(l => l.StartsWith("  new head: ", StringComparison.Ordinal));
        Assert.Equal("  new head: head.weight [5,64], head.bias [5]; left out: head.bias [10], head.weight [10,64]", head);
        Assert.Contains("pretrained: FashionVit.tiny is timm/FashionVit.tiny@", error);
        var metadata = CheckpointMetadata.Read(Path.Combine(outDir, FineTuneApp.ModelFile));
        Assert.Equal(nameof(FashionVitFineTune), metadata.ModelName);
        Assert.Equal(new[] { "Ankle boot", "Bag", "Sandal", "Shirt", "Sneaker" }, metadata.Labels);
        // The repo's pretrained_cfg is the preprocessing the fine-tuned model records.
        Assert.Equal(new PreprocessConfig(28, 1.0, [0.2860f], [0.3530f], 1), metadata.Preprocessing);
    }

    [Fact]
    public void The_command_lines_take_model_without_checkpoint_as_pretrained_and_offline_as_hf_hub_offline()
    {
        ClassifyOptions? seen = null;
        ClassifyCommand.Run(["a.png", "--model", Name, "--offline"], TextWriter.Null, TextWriter.Null, o => { seen = o; return 0; });
        Assert.True(seen!.Pretrained);
        Assert.True(seen.Offline);
        ClassifyCommand.Run(["a.png", "--model", FashionModel.Name, "--checkpoint", "x.safetensors"], TextWriter.Null, TextWriter.Null, o => { seen = o; return 0; });
        Assert.False(seen!.Pretrained);

        FineTuneOptions? tuned = null;
        FineTuneCommand.Run([Slice, "--model", Name, "--offline"], TextWriter.Null, TextWriter.Null, o => { tuned = o; return 0; });
        Assert.True(tuned!.Pretrained);
        Assert.True(tuned.Offline);
        FineTuneCommand.Run([Slice, "--model", FashionModel.Name, "--from-scratch"], TextWriter.Null, TextWriter.Null, o => { tuned = o; return 0; });
        Assert.False(tuned!.Pretrained);
    }

    [Fact]
    public void The_download_bar_shows_size_and_rate()
    {
        var progress = new HubDownloadProgress("model.safetensors", 41_200_000, 86_600_000, 9_800_000);

        Assert.Equal("model.safetensors [###########-------------]  48%  41.2 MB of 86.6 MB  9.8 MB/s", DownloadBar.Line(progress));

        var log = new StringWriter();
        var live = new DownloadBar(log, live: true);
        live.Report(progress);
        live.Report(new HubDownloadProgress("model.safetensors", 86_600_000, 86_600_000, 9_900_000));
        Assert.Equal("\r" + DownloadBar.Line(progress) + "\r" + DownloadBar.Line(new HubDownloadProgress("model.safetensors", 86_600_000, 86_600_000, 9_900_000)) + "\n",
                     log.ToString().Replace("\r\n", "\n"));
    }
}
