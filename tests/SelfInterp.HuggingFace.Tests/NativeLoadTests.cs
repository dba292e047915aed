using LLama.Native;

namespace SelfInterp.HuggingFace.Tests;

public sealed class NativeLoadTests
{
    [Fact]
    public void LlamaCppNativeLibraryLoadsOnThisMachine()
    {
        // Touching NativeApi forces LLamaSharp to pick and load its llama.cpp build for this CPU.
        NativeApi.llama_empty_call();
        Assert.True(NativeApi.llama_max_devices() >= 1);
    }
}
