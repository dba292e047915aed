using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// The HTTP requests of Together's fine-tuning API, as documented (docs.together.ai, API reference): upload a file
/// (POST files/upload, multipart: purpose fine-tune, file_name, file_type jsonl, file), create a job
/// (POST fine-tunes), read it (GET fine-tunes/{id}), list its events, cancel it (POST fine-tunes/{id}/cancel).
/// One builder for what is sent and what --dry-run shows. Paths are relative to the API's base URL.
/// </summary>
public static class TogetherRequests
{
    public static HttpRequestMessage Upload(string path, byte[] content)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("fine-tune"), "purpose" },
            { new StringContent(Path.GetFileName(path)), "file_name" },
            { new StringContent("jsonl"), "file_type" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", Path.GetFileName(path));
        return new HttpRequestMessage(HttpMethod.Post, "files/upload") { Content = form };
    }

    /// <summary>The job: the pipeline's name for the model as suffix, LoRA (rank, alpha) or full, epochs and learning rate when set
    /// (introspection training's own where given).</summary>
    public static JsonObject CreateBody(FineTuneRequest request, string trainingFileId, string? validationFileId, TogetherOptions options, bool teachesReports = false)
    {
        var body = new JsonObject
        {
            ["model"] = request.BaseModel,
            ["training_file"] = trainingFileId,
            ["suffix"] = request.Name,
        };
        if (validationFileId is not null) body["validation_file"] = validationFileId;
        bool itrain = request.TeachesReports || teachesReports;
        if ((itrain ? options.ItrainEpochs ?? options.Epochs : options.Epochs) is int e) body["n_epochs"] = e;
        if ((itrain ? options.ItrainLearningRate ?? options.LearningRate : options.LearningRate) is double lr) body["learning_rate"] = lr;
        if (options.BatchSize is int b) body["batch_size"] = b;
        var training = new JsonObject { ["type"] = options.Lora ? "Lora" : "Full" };
        if (options.Lora && options.LoraRank is int r) training["lora_r"] = r;
        if (options.Lora && options.LoraAlpha is int a) training["lora_alpha"] = a;
        body["training_type"] = training;
        return body;
    }

    public static HttpRequestMessage Create(JsonObject body) =>
        new(HttpMethod.Post, "fine-tunes") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    public static HttpRequestMessage Get(string jobId) => new(HttpMethod.Get, $"fine-tunes/{Uri.EscapeDataString(jobId)}");

    public static HttpRequestMessage Events(string jobId) => new(HttpMethod.Get, $"fine-tunes/{Uri.EscapeDataString(jobId)}/events");

    public static HttpRequestMessage Cancel(string jobId) => new(HttpMethod.Post, $"fine-tunes/{Uri.EscapeDataString(jobId)}/cancel");
}
