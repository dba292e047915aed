using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace SelfInterp.Engine.Checkpoints;

/// <summary>A float32 tensor read from or written to a safetensors file.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>Reads and writes the safetensors format (8-byte little-endian header length, JSON header with
/// dtype/shape/data_offsets per tensor and an optional "__metadata__" string map, then raw little-endian data).
/// Only F32 tensors. Writing sorts tensors by name and formats the header canonically, so the same tensors
/// always give the same bytes.</summary>
public static class SafeTensors
{
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new StringBuilder("{");
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            header.Append("\"__metadata__\":{");
            header.Append(string.Join(",", metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => $"{JsonSerializer.Serialize(kv.Key)}:{JsonSerializer.Serialize(kv.Value)}")));
            header.Append('}');
            first = false;
        }
        long offset = 0;
        foreach (var t in list)
        {
            long expected = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (expected != t.Data.Length) throw new ArgumentException($"tensor '{t.Name}': shape [{string.Join(",", t.Shape)}] needs {expected} values, got {t.Data.Length}");
            long bytes = 4L * t.Data.Length;
            if (!first) header.Append(',');
            first = false;
            header.Append($"{JsonSerializer.Serialize(t.Name)}:{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        header.Append('}');
        while (Encoding.UTF8.GetByteCount(header.ToString()) % 8 != 0) header.Append(' ');
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());

        string tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            stream.Write(len);
            stream.Write(headerBytes);
            foreach (var t in list) WriteFloats(stream, t.Data);
        }
        File.Move(tmp, path, overwrite: true);
    }

    static void WriteFloats(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian) { stream.Write(MemoryMarshal.AsBytes(data.AsSpan())); return; }
        var buf = new byte[4];
        foreach (float f in data) { BinaryPrimitives.WriteSingleLittleEndian(buf, f); stream.Write(buf); }
    }

    /// <summary>Reads every tensor; errors name the file and the offending tensor or field.</summary>
    public static (Dictionary<string, NamedTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short for a safetensors header");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"{path}: header length {headerLen} exceeds file size {bytes.Length}");
        int dataStart = 8 + (int)headerLen;
        var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLen)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header JSON line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc)
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                string where = $"{path}: tensor '{prop.Name}'";
                string dtype = prop.Value.TryGetProperty("dtype", out var dt) ? dt.GetString() ?? "" : throw new InvalidDataException($"{where}: missing dtype");
                if (dtype != "F32") throw new InvalidDataException($"{where}: dtype {dtype} is not supported (F32 only)");
                int[] shape = prop.Value.TryGetProperty("shape", out var sh) ? sh.EnumerateArray().Select(e => e.GetInt32()).ToArray()
                    : throw new InvalidDataException($"{where}: missing shape");
                if (!prop.Value.TryGetProperty("data_offsets", out var offs) || offs.GetArrayLength() != 2)
                    throw new InvalidDataException($"{where}: missing or malformed data_offsets");
                long begin = offs[0].GetInt64(), end = offs[1].GetInt64();
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (begin < 0 || end < begin || dataStart + end > bytes.Length)
                    throw new InvalidDataException($"{where}: data_offsets [{begin},{end}] outside the file");
                if (end - begin != 4 * count)
                    throw new InvalidDataException($"{where}: shape [{string.Join(",", shape)}] needs {4 * count} bytes, data_offsets give {end - begin}");
                var data = new float[count];
                var src = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
                if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
                else for (int i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                tensors[prop.Name] = new NamedTensor(prop.Name, shape, data);
            }
        return (tensors, metadata);
    }
}
