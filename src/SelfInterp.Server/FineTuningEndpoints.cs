using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SelfInterp.Core.Random;

namespace SelfInterp.Server;

/// <summary>
/// The fine-tuning jobs API: create (queued for the worker), list, read, list its events, cancel. Hyperparameters are
/// accepted and echoed (top-level or under method.supervised); the backend trains with its own defaults, as the
/// backend interface takes none.
/// </summary>
public static class FineTuningEndpoints
{
    public static void Map(WebApplication app, ServerStore store, FineTuningWorker worker, ulong seed)
    {
        app.MapPost("/v1/fine_tuning/jobs", async (HttpRequest http, CancellationToken ct) =>
        {
            using var body = await RequestFields.ReadBodyAsync(http, ct);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("the request body must be a JSON object");
            string model = RequestFields.RequiredString(root, "model");
            if (!store.HasModel(model)) throw ApiError.NotFound($"The model '{model}' does not exist or cannot be fine-tuned", "model", "model_not_found");
            string training = RequestFields.RequiredString(root, "training_file");
            if (store.FindFile(training) is null) throw ApiError.BadRequest($"invalid training_file: no file '{training}'", "training_file", "invalid_file");
            string? validation = RequestFields.OptionalString(root, "validation_file");
            if (validation is not null && store.FindFile(validation) is null)
                throw ApiError.BadRequest($"invalid validation_file: no file '{validation}'", "validation_file", "invalid_file");
            string? suffix = RequestFields.OptionalString(root, "suffix");
            if (suffix is { Length: > 64 }) throw ApiError.BadRequest("'suffix' may have at most 64 characters", "suffix");
            long? jobSeed = RequestFields.OptionalLong(root, "seed");
            if (jobSeed is < 0) throw ApiError.BadRequest("'seed' must be a non-negative integer", "seed");

            var id = store.NewId("ftjob");
            var job = new StoredJob
            {
                Id = id,
                Model = model,
                TrainingFile = training,
                ValidationFile = validation,
                Suffix = suffix,
                Seed = jobSeed is long s ? (ulong)s : SeededStream.DeriveSeed(seed, id) % 1_000_000_000UL,
                Hyperparameters = Hyperparameters(root),
                CreatedAt = store.Now,
            };
            store.AddJob(job);
            store.AddEvent(id, $"Created fine-tuning job: {id}");
            worker.Enqueue(id);
            return Json.Result(Render(store, id));
        });

        app.MapGet("/v1/fine_tuning/jobs/{id}", (string id) => Json.Result(Render(store, id)));

        // Newest first, as OpenAI lists them.
        app.MapGet("/v1/fine_tuning/jobs", (HttpRequest http) =>
            Json.Result(ListPage.Of(store.JobIds().Reverse().ToList(), id => id, id => Render(store, id), http, defaultLimit: 20, maxLimit: 100)));

        app.MapGet("/v1/fine_tuning/jobs/{id}/events", (string id, HttpRequest http) =>
        {
            var page = store.WithJob(id, j =>
                ListPage.Of(Enumerable.Reverse(j.Events).ToList(), e => e.Id, e => RenderEvent(e), http, defaultLimit: 20, maxLimit: 100))
                ?? throw JobNotFound(id);
            return Json.Result(page);
        });

        app.MapPost("/v1/fine_tuning/jobs/{id}/cancel", (string id) =>
        {
            var finished = store.WithJob(id, j => (bool?)j.Finished) ?? throw JobNotFound(id);
            if (finished || !worker.Cancel(id))
                throw ApiError.BadRequest($"job {id} has already finished and cannot be cancelled", "id");
            return Json.Result(Render(store, id));
        });
    }

    private static ApiError JobNotFound(string id) => ApiError.NotFound($"No such fine-tuning job: '{id}'", "id");

    /// <summary>Hyperparameters from method.supervised.hyperparameters or the older top-level field; "auto" where unset.</summary>
    private static JsonObject Hyperparameters(JsonElement root)
    {
        JsonElement h = default;
        bool found = root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.Object
            && method.TryGetProperty("supervised", out var sup) && sup.ValueKind == JsonValueKind.Object
            && sup.TryGetProperty("hyperparameters", out h);
        if (!found) found = root.TryGetProperty("hyperparameters", out h);
        var result = new JsonObject { ["n_epochs"] = "auto", ["batch_size"] = "auto", ["learning_rate_multiplier"] = "auto" };
        if (!found || h.ValueKind == JsonValueKind.Null) return result;
        if (h.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("'hyperparameters' must be an object", "hyperparameters");
        foreach (var name in new[] { "n_epochs", "batch_size", "learning_rate_multiplier" })
            if (h.TryGetProperty(name, out var v))
            {
                if (v.ValueKind == JsonValueKind.Number ? v.GetDouble() <= 0 : v.ValueKind != JsonValueKind.String || v.GetString() != "auto")
                    throw ApiError.BadRequest($"hyperparameters.{name} must be a positive number or \"auto\"", $"hyperparameters.{name}");
                result[name] = JsonNode.Parse(v.GetRawText());
            }
        return result;
    }

    public static JsonObject Render(ServerStore store, string id) => store.WithJob(id, j => new JsonObject
    {
        ["object"] = "fine_tuning.job",
        ["id"] = j.Id,
        ["model"] = j.Model,
        ["created_at"] = j.CreatedAt,
        ["finished_at"] = j.FinishedAt,
        ["fine_tuned_model"] = j.FineTunedModel,
        ["organization_id"] = "org-selfinterp",
        ["result_files"] = new JsonArray(),
        ["status"] = j.Status,
        ["validation_file"] = j.ValidationFile,
        ["training_file"] = j.TrainingFile,
        ["hyperparameters"] = j.Hyperparameters.DeepClone(),
        ["method"] = new JsonObject
        {
            ["type"] = "supervised",
            ["supervised"] = new JsonObject { ["hyperparameters"] = j.Hyperparameters.DeepClone() },
        },
        ["trained_tokens"] = j.TrainedTokens,
        ["error"] = j.ErrorMessage is null ? null : new JsonObject { ["code"] = j.ErrorCode, ["message"] = j.ErrorMessage, ["param"] = null },
        ["seed"] = j.Seed,
        ["user_provided_suffix"] = j.Suffix,
        ["estimated_finish"] = null,
        ["integrations"] = new JsonArray(),
    }) ?? throw JobNotFound(id);

    private static JsonObject RenderEvent(StoredEvent e)
    {
        var o = new JsonObject
        {
            ["object"] = "fine_tuning.job.event",
            ["id"] = e.Id,
            ["created_at"] = e.CreatedAt,
            ["level"] = e.Level,
            ["message"] = e.Message,
            ["type"] = e.Type,
            ["data"] = e.Step is int step ? new JsonObject { ["step"] = step, ["total_steps"] = e.TotalSteps } : new JsonObject(),
        };
        return o;
    }
}
