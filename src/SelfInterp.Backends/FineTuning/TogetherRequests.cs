using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// The HTTP requests of Together's API, as its published OpenAPI document gives them (../shared/api-specs/together):
/// upload a file (POST files/upload, multipart: purpose fine-tune, file_name, file_type jsonl, file), create a job
/// (POST fine-tunes), read it (GET fine-tunes/{id}), list its events, cancel it (POST fine-tunes/{id}/cancel), and
/// the model listings the pre-flight reads.
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

    /// <summary>
    /// The job, as Together's document describes POST fine-tunes: from the run's base model (model), or continuing a
    /// fine-tune of ours (introspection training from the instilled model) with from_checkpoint and no model, as
    /// Together's SDK sends it; the pipeline's name for the model as suffix; the request's seed as random_seed; LoRA with
    /// its rank and alpha (both required by the document; defaults when not given) or full; epochs, learning rate
    /// (introspection training's own where given) and batch size when set; n_evals beside a validation file, which
    /// Together would otherwise never evaluate.
    /// </summary>
    public static JsonObject CreateBody(FineTuneRequest request, string trainingFileId, string? validationFileId, TogetherOptions options, bool teachesReports = false)
    {
        var body = new JsonObject();
        if (request.BaseModel == options.BaseModel) body["model"] = request.BaseModel;
        else body["from_checkpoint"] = request.BaseModel;
        body["training_file"] = trainingFileId;
        body["suffix"] = request.Name;
        body["random_seed"] = OpenAI.FineTuningJobs.WireSeed(request.Seed);
        if (validationFileId is not null)
        {
            body["validation_file"] = validationFileId;
            body["n_evals"] = options.Evaluations;
        }
        bool itrain = request.TeachesReports || teachesReports;
        if ((itrain ? options.ItrainEpochs ?? options.Epochs : options.Epochs) is int e) body["n_epochs"] = e;
        if ((itrain ? options.ItrainLearningRate ?? options.LearningRate : options.LearningRate) is double lr) body["learning_rate"] = lr;
        if (options.BatchSize is int b) body["batch_size"] = b;
        body["training_type"] = options.Lora
            ? new JsonObject { ["type"] = "Lora", ["lora_r"] = options.LoraRank, ["lora_alpha"] = options.LoraAlpha }
            : new JsonObject { ["type"] = "Full" };
        return body;
    }

    public static HttpRequestMessage Create(JsonObject body) =>
        new(HttpMethod.Post, "fine-tunes") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    public static HttpRequestMessage Get(string jobId) => new(HttpMethod.Get, $"fine-tunes/{Uri.EscapeDataString(jobId)}");

    public static HttpRequestMessage Events(string jobId) => new(HttpMethod.Get, $"fine-tunes/{Uri.EscapeDataString(jobId)}/events");

    /// <summary>The models Together fine-tunes.</summary>
    public static HttpRequestMessage SupportedModels() => new(HttpMethod.Get, "fine-tunes/models/supported");

    /// <summary>A model's fine-tuning limits: which training types, the largest LoRA rank, epochs, evaluations, learning rates.</summary>
    public static HttpRequestMessage ModelLimits(string model) => new(HttpMethod.Get, $"fine-tunes/models/limits?model_name={Uri.EscapeDataString(model)}");

    /// <summary>The models Together serves (serverless unless asked for dedicated ones).</summary>
    public static HttpRequestMessage Models() => new(HttpMethod.Get, "models");

    public static HttpRequestMessage Cancel(string jobId) => new(HttpMethod.Post, $"fine-tunes/{Uri.EscapeDataString(jobId)}/cancel");
}
