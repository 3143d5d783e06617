using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>Run-time checks of a model's input, with messages that name the expected and the actual shape.</summary>
/// <remarks>Infrastructure for generated code, hidden from IntelliSense: generated models call it; user code is not meant to.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class InputChecks
{
    /// <summary>
    /// Requires images of shape [B, channels, height, width] with B >= 1, of the model's dtype and on the model's device.
    /// NaN values are not checked (that would cost a pass over the data); they propagate to NaN logits.
    /// </summary>
    public static void RequireImages(Tensor images, long channels, long height, long width, ScalarType dtype, Device device,
                                     string modelName, string parameterName = "images")
    {
        ArgumentNullException.ThrowIfNull(images, parameterName);
        string expected = $"[B,{channels},{height},{width}]";
        string actual = VitGeometry.FormatShape(images.shape);
        RequireRank(images, expected, dtype, modelName, parameterName);
        if (images.shape[0] < 1 || images.shape[1] != channels || images.shape[2] != height || images.shape[3] != width)
        {
            string hint = images.shape[3] == channels && images.shape[1] != channels
                ? " The input looks channels-last [B,H,W,C]: use permute(0, 3, 1, 2)."
                : images.shape[1] != channels ? $" The model was declared with {channels} channel(s)." : " Resize or crop the images to the declared size.";
            throw new ArgumentException($"{modelName} expects images of shape {expected}, but got {actual}.{hint}", parameterName);
        }
        RequireDtypeAndDevice(images, actual, dtype, device, modelName, parameterName);
    }

    /// <summary>
    /// For a model declared with a dynamic image size: requires images [B, channels, H, W] with B >= 1 whose height and
    /// width are positive multiples of the patch (any size timm's <c>dynamic_img_size</c> accepts), of the model's dtype and
    /// on the model's device. <paramref name="declaredHeight"/> and <paramref name="declaredWidth"/> only inform the message.
    /// </summary>
    public static void RequireImagesOfPatchMultiples(Tensor images, long channels, long patchHeight, long patchWidth, long declaredHeight, long declaredWidth,
                                                     ScalarType dtype, Device device, string modelName, string parameterName = "images")
    {
        ArgumentNullException.ThrowIfNull(images, parameterName);
        string expected = $"[B,{channels},H,W] (H a multiple of {patchHeight}, W a multiple of {patchWidth})";
        string actual = VitGeometry.FormatShape(images.shape);
        RequireRank(images, expected, dtype, modelName, parameterName);
        long height = images.shape[2], width = images.shape[3];
        if (images.shape[0] < 1 || images.shape[1] != channels)
        {
            string hint = images.shape[3] == channels && images.shape[1] != channels
                ? " The input looks channels-last [B,H,W,C]: use permute(0, 3, 1, 2)."
                : images.shape[1] != channels ? $" The model was declared with {channels} channel(s)." : "";
            throw new ArgumentException($"{modelName} expects images of shape {expected}, but got {actual}.{hint}", parameterName);
        }
        if (height < patchHeight || width < patchWidth || height % patchHeight != 0 || width % patchWidth != 0)
            throw new ArgumentException($"{modelName} takes images of any size made of whole {patchHeight}x{patchWidth} patches (declared size " +
                                        $"{declaredHeight}x{declaredWidth}), but got {height}x{width} in {actual}: resize, crop or pad each side to a multiple of the patch.",
                                        parameterName);
        RequireDtypeAndDevice(images, actual, dtype, device, modelName, parameterName);
    }

    private static void RequireRank(Tensor images, string expected, ScalarType dtype, string modelName, string parameterName)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"{modelName} expects images of rank 4 {expected} ({dtype}), but got rank {images.dim()} {VitGeometry.FormatShape(images.shape)}. " +
                                        (images.dim() == 3 ? "Add a batch dimension with unsqueeze(0)." : ""), parameterName);
    }

    private static void RequireDtypeAndDevice(Tensor images, string actual, ScalarType dtype, Device device, string modelName, string parameterName)
    {
        if (images.dtype != dtype)
            throw new ArgumentException($"{modelName} expects images of dtype {dtype} (the model's), but got {images.dtype} with shape {actual}. Convert with images.to({dtype}).", parameterName);
        if (images.device_type != device.type || (device.type != DeviceType.CPU && images.device_index != device.index && device.index >= 0))
            throw new ArgumentException($"{modelName} is on {device}, but the images {actual} are on {images.device}. Move them with images.to(model device).", parameterName);
    }
}
