using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>Writes safetensors files as Hugging Face's library does (8-byte header length, JSON header, data), in
/// F32, F16 or BF16 — the engine's own writer only writes F32.</summary>
public static class SafeTensorsWriter
{
    public static void Write(string path, IReadOnlyList<HfTensor> tensors, StoredType type)
    {
        int size = type == StoredType.F32 ? 4 : 2;
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var t in tensors)
        {
            long bytes = (long)size * t.Data.Length;
            header[t.Name] = new { dtype = type.ToString(), shape = t.Shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var s = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)json.Length);
        s.Write(len);
        s.Write(json);
        var buf = new byte[4];
        foreach (var t in tensors)
            foreach (float x in t.Data)
            {
                switch (type)
                {
                    case StoredType.F32: BinaryPrimitives.WriteSingleLittleEndian(buf, x); break;
                    case StoredType.F16: BinaryPrimitives.WriteHalfLittleEndian(buf, (Half)x); break;
                    default: BinaryPrimitives.WriteUInt16LittleEndian(buf, Rounding.BfBits(x)); break;
                }
                s.Write(buf, 0, size);
            }
    }
}
