using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelfInterp.Core.IO;

namespace SelfInterp.Server;

public sealed class StoredFile
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("filename")] public string Filename { get; set; } = "";
    [JsonPropertyName("bytes")] public long Bytes { get; set; }
    [JsonPropertyName("created_at")] public long CreatedAt { get; set; }
    [JsonPropertyName("purpose")] public string Purpose { get; set; } = "fine-tune";
    /// <summary>The upload's bytes on disk, under the models directory.</summary>
    [JsonPropertyName("path")] public string Path { get; set; } = "";
}

public sealed class StoredEvent
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("created_at")] public long CreatedAt { get; set; }
    [JsonPropertyName("level")] public string Level { get; set; } = "info";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "message";
    [JsonPropertyName("step")] public int? Step { get; set; }
    [JsonPropertyName("total_steps")] public int? TotalSteps { get; set; }
}

public sealed class StoredJob
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("training_file")] public string TrainingFile { get; set; } = "";
    [JsonPropertyName("validation_file")] public string? ValidationFile { get; set; }
    [JsonPropertyName("seed")] public ulong Seed { get; set; }
    [JsonPropertyName("suffix")] public string? Suffix { get; set; }
    [JsonPropertyName("hyperparameters")] public JsonObject Hyperparameters { get; set; } = new();
    [JsonPropertyName("status")] public string Status { get; set; } = "queued";
    [JsonPropertyName("created_at")] public long CreatedAt { get; set; }
    [JsonPropertyName("finished_at")] public long? FinishedAt { get; set; }
    [JsonPropertyName("fine_tuned_model")] public string? FineTunedModel { get; set; }
    [JsonPropertyName("error_code")] public string? ErrorCode { get; set; }
    [JsonPropertyName("error_message")] public string? ErrorMessage { get; set; }
    [JsonPropertyName("trained_tokens")] public long? TrainedTokens { get; set; }
    [JsonPropertyName("events")] public List<StoredEvent> Events { get; set; } = [];

    [JsonIgnore] public bool Finished => Status is "succeeded" or "failed" or "cancelled";
}

public sealed class ServedModel
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("created")] public long Created { get; set; }
}

/// <summary>
/// The server's files, jobs and fine-tuned models: in memory, and saved to serve_state.json in the models
/// directory after each change, so a restarted server still knows them (and serves the models, if the backend
/// keeps them in the same directory). Jobs a restart interrupted are marked failed, so a client starts anew.
/// </summary>
public sealed class ServerStore
{
    public const string StateFile = "serve_state.json";
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private sealed class State
    {
        [JsonPropertyName("files")] public List<StoredFile> Files { get; set; } = [];
        [JsonPropertyName("jobs")] public List<StoredJob> Jobs { get; set; } = [];
        [JsonPropertyName("models")] public List<ServedModel> Models { get; set; } = [];
        [JsonPropertyName("next_id")] public long NextId { get; set; } = 1;
    }

    private readonly object _gate = new();
    private readonly string _path;
    private readonly State _state;
    private readonly TimeProvider _time;

    public string Directory { get; }
    public string BaseModel { get; }

    public ServerStore(string directory, string baseModel, TimeProvider time)
    {
        Directory = directory;
        BaseModel = baseModel;
        _time = time;
        System.IO.Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, StateFile);
        if (File.Exists(_path))
        {
            try { _state = JsonSerializer.Deserialize<State>(File.ReadAllText(_path), JsonOptions) ?? new State(); }
            catch (JsonException e) { throw new DataFileException(_path, (int?)(e.LineNumber + 1), e.Path, $"not a valid server state file: {e.Message}"); }
            foreach (var job in _state.Jobs.Where(j => !j.Finished))
            {
                job.Status = "failed";
                job.ErrorCode = "server_restarted";
                job.ErrorMessage = "the server stopped before this job finished; create a new job";
                job.FinishedAt = Json.Now(time);
            }
            Save();
        }
        else _state = new State();
    }

    public long Now => Json.Now(_time);

    /// <summary>A new id with <paramref name="prefix"/>, unique across restarts (the counter is saved).</summary>
    public string NewId(string prefix)
    {
        lock (_gate) return $"{prefix}-{_state.NextId++:D6}";
    }

    public void AddFile(StoredFile file)
    {
        lock (_gate) { _state.Files.Add(file); Save(); }
    }

    public StoredFile? FindFile(string id)
    {
        lock (_gate) return _state.Files.FirstOrDefault(f => f.Id == id);
    }

    /// <summary>Every uploaded file, oldest first.</summary>
    public IReadOnlyList<StoredFile> Files()
    {
        lock (_gate) return [.. _state.Files];
    }

    /// <summary>Every job's id, oldest first.</summary>
    public IReadOnlyList<string> JobIds()
    {
        lock (_gate) return [.. _state.Jobs.Select(j => j.Id)];
    }

    public void AddJob(StoredJob job)
    {
        lock (_gate) { _state.Jobs.Add(job); Save(); }
    }

    /// <summary>Reads or changes a job under the store's lock (saved afterwards); null if there is no such job.</summary>
    public T? WithJob<T>(string id, Func<StoredJob, T> use, bool save = false)
    {
        lock (_gate)
        {
            var job = _state.Jobs.FirstOrDefault(j => j.Id == id);
            if (job is null) return default;
            var result = use(job);
            if (save) Save();
            return result;
        }
    }

    public void AddEvent(string jobId, string message, string type = "message", string level = "info", int? step = null, int? totalSteps = null)
    {
        var id = NewId("ftevent");
        WithJob(jobId, j =>
        {
            j.Events.Add(new StoredEvent { Id = id, CreatedAt = Now, Message = message, Type = type, Level = level, Step = step, TotalSteps = totalSteps });
            return true;
        }, save: true);
    }

    public IReadOnlyList<ServedModel> Models()
    {
        lock (_gate) return [new ServedModel { Id = BaseModel, Created = 0 }, .. _state.Models];
    }

    public bool HasModel(string id)
    {
        lock (_gate) return id == BaseModel || _state.Models.Any(m => m.Id == id);
    }

    public void AddModel(string id, string parent)
    {
        lock (_gate)
        {
            if (_state.Models.Any(m => m.Id == id)) return; // the same job re-run names the same model
            _state.Models.Add(new ServedModel { Id = id, Parent = parent, Created = Now });
            Save();
        }
    }

    private void Save()
    {
        lock (_gate) AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(_state, JsonOptions) + "\n");
    }
}
