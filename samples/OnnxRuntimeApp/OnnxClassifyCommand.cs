using System.CommandLine;
using Microsoft.ML.OnnxRuntime;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>
/// <c>onnx-classify MODEL.onnx IMAGE|FOLDER... [--top N]</c>: parses and checks the arguments, then classifies every
/// image. Exit codes: 0 every image classified, 1 the model or an image failed (the other images are still classified),
/// 2 a usage mistake. Every error is one line on stderr.
/// </summary>
public static class OnnxClassifyCommand
{
    public const int Success = 0, Failure = 1, UsageError = 2;

    public const string Usage = "usage: onnx-classify MODEL.onnx IMAGE|FOLDER... [--top N] [--help]";

    public static int Run(string[] args, TextWriter output, TextWriter error, SessionOptions? sessionOptions = null)
    {
        // Both are optional to the parser, so that their absence gets this tool's message rather than one naming the host process.
        var model = new Argument<string?>("model") { Description = "An ONNX model exported by ShapedVit.Onnx (or any classifier with one [batch, C, H, W] float32 input).", Arity = ArgumentArity.ZeroOrOne };
        var images = new Argument<string[]>("images") { Description = "PNG, JPEG, WebP, PGM or PPM files, or folders of them (their image files, not subfolders).", Arity = ArgumentArity.ZeroOrMore };
        var top = new Option<int>("--top") { Description = "How many classes to print per image.", DefaultValueFactory = _ => 5 };
        var root = new RootCommand("Classifies images with an ONNX model and ONNX Runtime alone: the input, labels and preprocessing come from the model's metadata.") { model, images, top };
        var parsed = root.Parse(args);
        if (parsed.Action is not null && parsed.Action.GetType().Name.Contains("Help", StringComparison.Ordinal))
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        if (parsed.Errors.Count > 0)
            return Refuse(error, OneLine(parsed.Errors[0].Message));
        // The parser takes an unknown "--option" for the model or an image: refuse it before any work.
        string? modelPath = parsed.GetValue(model);
        string[] imageArguments = parsed.GetValue(images) ?? [];
        string? unknown = new[] { modelPath ?? "" }.Concat(imageArguments).FirstOrDefault(v => v.Length > 1 && v[0] == '-');
        if (unknown is not null)
            return Refuse(error, $"unknown option '{unknown}' (a file whose name starts with '-' can be given as ./{unknown})");
        if (modelPath is null) return Refuse(error, "no model: give the .onnx file first");
        if (imageArguments.Length == 0) return Refuse(error, "no image: give images or folders after the model");
        int count = parsed.GetValue(top);
        if (count < 1) return Refuse(error, $"--top must be at least 1, not {count}");

        OnnxClassifier classifier;
        try
        {
            string? kind = FileKind.NotRegular(modelPath);
            if (kind is not null) throw new InvalidDataException($"{modelPath}: {kind}, not an ONNX model file");
            if (!File.Exists(modelPath)) throw new InvalidDataException($"{modelPath}: no such file");
            classifier = new OnnxClassifier(modelPath, sessionOptions);
        }
        catch (Exception e) when (e is InvalidDataException or OnnxRuntimeException or IOException or UnauthorizedAccessException)
        {
            string message = e is OnnxRuntimeException ? $"{modelPath}: ONNX Runtime cannot load it: {OneLine(e.Message)}" : OneLine(e.Message);
            error.WriteLine($"onnx-classify: {message}");
            return Failure;
        }

        using (classifier)
        {
            var files = new List<string>();
            int exitCode = Success;
            foreach (string argument in imageArguments)
            {
                try { files.AddRange(ImageFile.Expand(argument)); }
                catch (InvalidDataException e)
                {
                    error.WriteLine($"onnx-classify: {e.Message}");
                    exitCode = Failure;
                }
            }
            foreach (string file in files)
            {
                try
                {
                    var ranked = classifier.Classify(ImageFile.Read(file), count);
                    if (files.Count > 1) output.WriteLine($"{file}:");
                    foreach (var (label, probability) in ranked)
                        output.WriteLine($"{probability,7:P2}  {label}");
                }
                catch (Exception e) when (e is InvalidDataException or OnnxRuntimeException)
                {
                    string message = OneLine(e.Message);
                    error.WriteLine($"onnx-classify: {(message.StartsWith(file, StringComparison.Ordinal) ? message : $"{file}: {message}")}");
                    exitCode = Failure;
                }
            }
            return exitCode;
        }
    }

    private static int Refuse(TextWriter error, string message)
    {
        error.WriteLine($"onnx-classify: error: {message} ({Usage})");
        return UsageError;
    }

    private static string OneLine(string message) => ImageFile.OneLine(message);
}
