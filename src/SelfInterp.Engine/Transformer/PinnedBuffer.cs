using System.Runtime.CompilerServices;

namespace SelfInterp.Engine.Transformer;

/// <summary>A growable float buffer on the pinned heap, so kernels can hold raw pointers into it.</summary>
internal sealed unsafe class PinnedBuffer
{
    float[] _data = [];

    public float* Ptr => _data.Length == 0 ? null : (float*)Unsafe.AsPointer(ref _data[0]);
    public long Length => _data.Length;

    /// <summary>Ensures room for length floats; contents are not preserved when it grows.</summary>
    public float* Ensure(long length)
    {
        if (_data.Length < length)
        {
            if (length > Array.MaxLength) throw new OutOfMemoryException($"buffer of {length} floats exceeds the array limit");
            _data = GC.AllocateArray<float>((int)length, pinned: true);
        }
        return Ptr;
    }
}
