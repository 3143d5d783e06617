using ShapedVit.Checkpoints;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>A hostile header cannot make the reader allocate by the numbers it claims: managed allocation stays within the file's size plus a fixed overhead.</summary>
public class SafetensorsAllocationTests
{
    // Exceptions, their messages and stack traces, and the JSON reader's state: a fixed cost, whatever the file claims.
    private const long FixedOverhead = 512 * 1024;

    private static long AllocatedWhileReading(byte[] bytes)
    {
        // Warm up the reader's code paths first, so JIT and static initialisation are not counted.
        try { Safetensors.ReadAll(bytes).Dispose(); } catch (CheckpointException) { }
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { Safetensors.ReadAll(bytes).Dispose(); } catch (CheckpointException) { }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory, MemberData(nameof(SafetensorsFuzzTests.HostileFiles), MemberType = typeof(SafetensorsFuzzTests))]
    public void Hostile_headers_allocate_no_more_than_the_file_size(string name, byte[] bytes)
    {
        long allocated = AllocatedWhileReading(bytes);
        Assert.True(allocated <= bytes.Length + FixedOverhead, $"{name}: {allocated:N0} bytes allocated for a {bytes.Length:N0}-byte file");
    }

    [Fact]
    public void Claims_of_gigantic_tensors_and_headers_allocate_nothing_in_proportion()
    {
        const string claim = """{"w":{"dtype":"F32","shape":[268435456],"data_offsets":[0,1073741824]}}"""; // 1 GiB claimed, 8 bytes present
        foreach (var bytes in new[]
                 {
                     CheckpointTestHelpers.File(claim, 8),
                     CheckpointTestHelpers.File(claim, 8, declaredLength: 99_000_000),       // header length under the 100 MB cap, beyond the file
                     CheckpointTestHelpers.File(claim, 8, declaredLength: ulong.MaxValue),
                 })
        {
            long allocated = AllocatedWhileReading(bytes);
            Assert.True(allocated <= bytes.Length + FixedOverhead, $"{allocated:N0} bytes allocated for a {bytes.Length:N0}-byte file");
        }
    }

    [Fact]
    public void The_bound_is_tight_enough_to_catch_a_reader_that_trusts_the_header()
    {
        // What the tests above would see if the reader allocated a buffer of the claimed data size before checking it.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var trusting = new byte[64 * 1024 * 1024];
        GC.KeepAlive(trusting);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.False(allocated <= 1024 + FixedOverhead);
    }
}
