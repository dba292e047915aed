namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>A tensor of a test checkpoint under its Hugging Face name, shape [out, in] as PyTorch stores it.</summary>
public sealed record HfTensor(string Name, int[] Shape, float[] Data);

/// <summary>The storage types of the tests' checkpoints, and the rounding that makes a float representable in each.</summary>
public enum StoredType { F32, F16, BF16 }

public static class Rounding
{
    public static float To(StoredType type, float x) => type switch
    {
        StoredType.F16 => (float)(Half)x,
        StoredType.BF16 => BitConverter.Int32BitsToSingle((int)(BfBits(x) << 16)),
        _ => x,
    };

    /// <summary>Round to nearest even on the upper 16 bits of the float.</summary>
    public static ushort BfBits(float x)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(x);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
