using System.Text.Json;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>The weights of a Hugging Face model directory: model.safetensors, or shards listed by
/// model.safetensors.index.json's weight_map. Each file is memory-mapped while open.</summary>
public sealed class HfWeights : IDisposable
{
    public const string SingleFile = "model.safetensors", IndexFile = "model.safetensors.index.json";

    readonly List<MappedSafeTensors> _files = [];
    readonly Dictionary<string, (MappedSafeTensors File, TensorEntry Entry)> _tensors = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _tensors.Keys;

    HfWeights() { }

    /// <summary>Opens the weights of a directory (or the single file <paramref name="fileName"/> in it, for an adapter).</summary>
    public static HfWeights Open(string directory, string fileName = SingleFile)
    {
        var weights = new HfWeights();
        try
        {
            string index = Path.Combine(directory, IndexFile);
            if (fileName == SingleFile && !File.Exists(Path.Combine(directory, SingleFile)) && File.Exists(index))
                foreach (var (name, shard) in ReadIndex(index)) weights.Add(Path.Combine(directory, shard), name, index);
            else
            {
                string path = Path.Combine(directory, fileName);
                if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found (nor {IndexFile} beside it)", path);
                weights.AddFile(path);
            }
        }
        catch { weights.Dispose(); throw; }
        return weights;
    }

    static IEnumerable<(string Name, string Shard)> ReadIndex(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: line {e.LineNumber + 1}: {e.Message}", e); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: field 'weight_map' missing or not an object");
            return map.EnumerateObject().Select(p => (p.Name, p.Value.GetString()
                ?? throw new InvalidDataException($"{path}: field 'weight_map.{p.Name}' must be a file name"))).ToList();
        }
    }

    void Add(string shardPath, string name, string index)
    {
        var file = _files.FirstOrDefault(f => f.Path == shardPath) ?? AddFile(shardPath);
        if (!file.Tensors.ContainsKey(name))
            throw new InvalidDataException($"{index}: weight_map puts '{name}' in {System.IO.Path.GetFileName(shardPath)}, which does not hold it");
    }

    MappedSafeTensors AddFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: shard not found", path);
        var file = new MappedSafeTensors(path);
        _files.Add(file);
        foreach (var (name, entry) in file.Tensors)
            if (!_tensors.TryAdd(name, (file, entry)))
                throw new InvalidDataException($"{path}: tensor '{name}' is also in {_tensors[name].File.Path}");
        return file;
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public int[] Shape(string name) => Find(name).Entry.Shape;

    /// <summary>Converts a tensor to float into destination, checking its shape.</summary>
    public void ReadInto(string name, int[] shape, Span<float> destination)
    {
        var (file, entry) = Find(name);
        if (!entry.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"{file.Path}: tensor '{name}' has shape [{string.Join(",", entry.Shape)}], config.json needs [{string.Join(",", shape)}]");
        file.ReadInto(entry, destination);
    }

    (MappedSafeTensors File, TensorEntry Entry) Find(string name) =>
        _tensors.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"{string.Join(", ", _files.Select(f => f.Path))}: missing tensor '{name}'");

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
        _files.Clear();
    }
}
