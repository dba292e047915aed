using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>One tensor's place in a safetensors file: dtype, shape and byte range within the data section.</summary>
public sealed record TensorEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>A safetensors file mapped into memory (no size limit: tensors are converted to float straight from the
/// mapping, never through one byte array). Reads F32, F16 and BF16, each exactly: every F16 and BF16 value is a float.</summary>
public sealed unsafe class MappedSafeTensors : IDisposable
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _data;
    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    public MappedSafeTensors(string path)
    {
        Path = path;
        long length = new FileInfo(path).Length;
        if (length < 8) throw new InvalidDataException($"{path}: too short for a safetensors header");
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        start += _view.PointerOffset;
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(start, 8));
        if (headerLength > (ulong)(length - 8) || headerLength > int.MaxValue)
        {
            Dispose();
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file's {length} bytes");
        }
        _data = start + 8 + (long)headerLength;
        try { Tensors = ParseHeader(new ReadOnlySpan<byte>(start + 8, (int)headerLength), length - 8 - (long)headerLength); }
        catch { Dispose(); throw; }
    }

    Dictionary<string, TensorEntry> ParseHeader(ReadOnlySpan<byte> header, long dataLength)
    {
        var result = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header);
        JsonDocument doc;
        try { doc = JsonDocument.ParseValue(ref reader); }
        catch (JsonException e) { throw new InvalidDataException($"{Path}: header JSON line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc)
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__") continue;
                string where = $"{Path}: tensor '{prop.Name}'";
                var v = prop.Value;
                string dtype = v.TryGetProperty("dtype", out var dt) ? dt.GetString() ?? "" : throw new InvalidDataException($"{where}: missing dtype");
                int size = BytesPer(dtype) ?? throw new InvalidDataException($"{where}: dtype {dtype} is not supported (F32, F16, BF16)");
                int[] shape = v.TryGetProperty("shape", out var sh) ? sh.EnumerateArray().Select(e => e.GetInt32()).ToArray()
                    : throw new InvalidDataException($"{where}: missing shape");
                if (!v.TryGetProperty("data_offsets", out var offs) || offs.GetArrayLength() != 2)
                    throw new InvalidDataException($"{where}: missing or malformed data_offsets");
                var entry = new TensorEntry(prop.Name, dtype, shape, offs[0].GetInt64(), offs[1].GetInt64());
                if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength)
                    throw new InvalidDataException($"{where}: data_offsets [{entry.Begin},{entry.End}] outside the file");
                if (entry.End - entry.Begin != size * entry.Count)
                    throw new InvalidDataException($"{where}: shape [{string.Join(",", shape)}] of {dtype} needs {size * entry.Count} bytes, data_offsets give {entry.End - entry.Begin}");
                result[prop.Name] = entry;
            }
        return result;
    }

    static int? BytesPer(string dtype) => dtype switch { "F32" => 4, "F16" or "BF16" => 2, _ => null };

    /// <summary>Converts one tensor to float into destination (its length must be the tensor's element count).</summary>
    public void ReadInto(TensorEntry entry, Span<float> destination)
    {
        if (destination.Length != entry.Count) throw new ArgumentException($"{Path}: tensor '{entry.Name}' has {entry.Count} values, destination {destination.Length}");
        byte* src = _data + entry.Begin;
        long n = entry.Count;
        switch (entry.DType)
        {
            case "F32":
                new ReadOnlySpan<byte>(src, checked((int)(4 * n))).CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case "F16":
                for (int i = 0; i < n; i++) destination[i] = (float)BitConverter.UInt16BitsToHalf(ReadU16(src + 2L * i));
                break;
            default: // BF16: the upper half of a float's bits
                for (int i = 0; i < n; i++) destination[i] = BitConverter.Int32BitsToSingle(ReadU16(src + 2L * i) << 16);
                break;
        }
    }

    static ushort ReadU16(byte* p) => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(p, 2));

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
