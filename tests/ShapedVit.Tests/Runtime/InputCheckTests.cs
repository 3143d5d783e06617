using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

public class InputCheckTests
{
    private static ArgumentException Reject(Tensor images)
    {
        using var model = new SmallVit(seed: 1);
        return Assert.Throws<ArgumentException>(() => model.forward(images));
    }

    [Fact]
    public void Wrong_rank_names_expected_and_actual_shapes()
    {
        using var images = torch.zeros(3, 32, 32);
        var error = Reject(images);
        Assert.StartsWith("SmallVit expects images of rank 4 [B,3,32,32] (Float32), but got rank 3 [3,32,32]. Add a batch dimension with unsqueeze(0).", error.Message);
        Assert.Equal("images", error.ParamName);
    }

    [Fact]
    public void Wrong_size_names_expected_and_actual_shapes()
    {
        using var images = torch.zeros(2, 3, 28, 32);
        Assert.StartsWith("SmallVit expects images of shape [B,3,32,32], but got [2,3,28,32]. Resize or crop the images to the declared size.", Reject(images).Message);
    }

    [Fact]
    public void Wrong_channel_count_and_channels_last_layout_are_explained()
    {
        using var gray = torch.zeros(2, 1, 32, 32);
        Assert.StartsWith("SmallVit expects images of shape [B,3,32,32], but got [2,1,32,32]. The model was declared with 3 channel(s).", Reject(gray).Message);
        using var channelsLast = torch.zeros(2, 32, 32, 3);
        Assert.Contains("The input looks channels-last [B,H,W,C]: use permute(0, 3, 1, 2).", Reject(channelsLast).Message);
    }

    [Fact]
    public void Wrong_dtype_names_both_dtypes()
    {
        using var images = torch.zeros(new long[] { 2, 3, 32, 32 }, ScalarType.Float64);
        Assert.StartsWith("SmallVit expects images of dtype Float32 (the model's), but got Float64 with shape [2,3,32,32].", Reject(images).Message);
    }

    [Fact]
    public void Images_on_another_device_are_rejected_before_any_kernel_runs()
    {
        // The meta device holds shapes without data: it stands in for a GPU tensor on a machine without one.
        using var images = torch.zeros(new long[] { 2, 3, 32, 32 }, device: torch.META);
        Assert.StartsWith("SmallVit is on cpu, but the images [2,3,32,32] are on meta.", Reject(images).Message);
    }

    [Fact]
    public void Empty_batch_is_rejected()
    {
        using var images = torch.zeros(0, 3, 32, 32);
        Assert.StartsWith("SmallVit expects images of shape [B,3,32,32], but got [0,3,32,32].", Reject(images).Message);
    }

    [Fact]
    public void NaN_inputs_are_allowed_and_give_NaN_logits()
    {
        using var model = new SmallVit(seed: 1);
        using var images = torch.full(new long[] { 1, 3, 32, 32 }, double.NaN);
        using var logits = model.forward(images);
        Assert.True(logits.isnan().all().item<bool>());
    }

    [Fact]
    public void Cpu_is_chosen_and_explained_when_no_gpu_is_visible()
    {
        var device = Devices.Resolve("cpu", out var reason);
        Assert.Equal(DeviceType.CPU, device.type);
        Assert.Equal("cpu (asked for)", reason);
        if (!torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CPU, Devices.Resolve("cuda", out reason).type);
            Assert.StartsWith("cpu (CUDA was asked for, but no CUDA device is visible", reason);
        }
        Assert.Throws<ArgumentException>(() => Devices.Resolve("tpu", out _));
    }

    [Fact]
    public void Cpu_threads_keep_the_default_for_zero_and_refuse_negative_counts()
    {
        int before = torch.get_num_threads();
        Assert.Equal(before, Devices.SetCpuThreads(0));
        Assert.Equal(before, Devices.SetCpuThreads(before)); // already in effect: no set_num_threads call, same count
        Assert.Throws<ArgumentOutOfRangeException>(() => Devices.SetCpuThreads(-1));
        Assert.Equal(before, torch.get_num_threads());
    }
}
