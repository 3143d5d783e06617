using ShapedVit.Layers;
using TorchSharp;

namespace ShapedVit.Tests.Layers;

/// <summary>
/// Building a layer while another thread collects garbage and runs finalizers, as the soak does (docs/benchmarks.md,
/// "Soak"). The constructor copied nn.Linear's initial weight with <c>template.weight.detach().clone()</c>: the detached
/// tensor was a temporary whose last use was as clone's receiver, so outside a dispose scope the collector could
/// finalise it (freeing the native tensor) while libtorch cloned it. The soak died of it (SIGSEGV in
/// <c>THSTensor_clone</c>, at <c>at::TensorIteratorBase::build</c>) when it built a new model; the detached tensors are
/// now held until the clone returns. Built in Release this test crashed the test host on the old constructor; in Debug
/// the JIT keeps the temporary alive. It collects in a loop, so it runs alone, in the stress collection.
/// </summary>
[Collection(Runtime.GarbageCollectionStressCollection.Name)]
public class PackableLinearGarbageCollectionTests
{
    [Fact]
    public void Layers_built_outside_a_dispose_scope_survive_garbage_collection_during_the_native_calls() =>
        Runtime.GarbageCollectionStressCollection.WhileCollecting(20_000, TimeSpan.FromSeconds(20), _ =>
        {
            using var layer = new PackableLinear(16, 16);
            Assert.True(layer.weight.isfinite().all().item<bool>());
        });
}
