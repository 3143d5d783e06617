// onnx-classify MODEL.onnx IMAGE|FOLDER... [--top N]: classifies images with a ShapedVit model exported to ONNX, using
// ONNX Runtime alone (no TorchSharp). See README.md.
return ShapedVit.Samples.OnnxRuntimeApp.OnnxClassifyCommand.Run(args, Console.Out, Console.Error);
