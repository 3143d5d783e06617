// onnx-classify MODEL.onnx IMAGE.ppm|IMAGE.pgm [--top K]: classifies one image with a ShapedVit model exported to ONNX,
// using ONNX Runtime alone. The image must have the model's size (binary Netpbm keeps this sample free of decoders).
using ShapedVit.Samples.OnnxRuntimeApp;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: onnx-classify MODEL.onnx IMAGE.ppm|IMAGE.pgm [--top K]");
    return 2;
}
int top = args.Length >= 4 && args[2] == "--top" ? int.Parse(args[3]) : 5;
try
{
    using var classifier = new OnnxClassifier(args[0]);
    foreach (var (label, probability) in classifier.Classify(Netpbm.Read(args[1]), top))
        Console.WriteLine($"{probability,7:P2}  {label}");
    return 0;
}
catch (Exception error) when (error is IOException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
{
    Console.Error.WriteLine($"onnx-classify: {error.Message}");
    return 1;
}
