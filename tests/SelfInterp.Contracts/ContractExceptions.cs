using System.Text.Json.Nodes;

namespace SelfInterp.Contracts;

/// <summary>
/// The places where SelfInterp follows a provider's official SDK rather than the letter of its document, each with
/// its source. Everything else is checked as the document says. Each allowance is narrow: it applies to one field of
/// one operation, and only in the case the SDK covers.
/// </summary>
public static class ContractExceptions
{
    /// <summary>
    /// Together, POST /fine-tunes with from_checkpoint: the document marks model required, but Together's Python SDK
    /// (together-python, resources/finetune.py) refuses to send model together with from_checkpoint ("either a model
    /// or a checkpoint … not both"). Such a body is checked as if the required model were there.
    /// </summary>
    public const string ContinueWithoutModel = "together: from_checkpoint without model (as the official SDK sends it)";

    /// <summary>
    /// Together, a job's status user_error: in the SDK's FinetuneJobStatus (together-python, types/finetune.py) though
    /// not in the document's enum. Checked as the document's own terminal failure, error.
    /// </summary>
    public const string UserErrorStatus = "together: job status user_error (in the official SDK's statuses)";

    public static IReadOnlyList<string> Request(ApiDocument document, string method, string path, string mediaType, JsonNode? body)
    {
        if (document.Name == "together" && method == "POST" && document.Template(path) == "/fine-tunes"
            && body is JsonObject both && both.ContainsKey("from_checkpoint") && both.ContainsKey("model"))
            return ["together POST /fine-tunes request: both model and from_checkpoint (the official SDK refuses to send both; the job starts from one of them)"];
        if (document.Name == "together" && method == "POST" && document.Template(path) == "/fine-tunes"
            && body is JsonObject o && o.ContainsKey("from_checkpoint") && !o.ContainsKey("model"))
        {
            var asDocumented = o.DeepClone().AsObject();
            asDocumented["model"] = "(continued from from_checkpoint)";
            return document.CheckRequest(method, path, mediaType, asDocumented);
        }
        return document.CheckRequest(method, path, mediaType, body);
    }

    public static IReadOnlyList<string> Response(ApiDocument document, string method, string path, int status, JsonNode? body)
    {
        if (document.Name == "together" && body is JsonObject o && (string?)(o["status"] as JsonValue) == "user_error"
            && document.Template(path) is "/fine-tunes/{id}" or "/fine-tunes/{id}/cancel")
        {
            var asDocumented = o.DeepClone().AsObject();
            asDocumented["status"] = "error";
            return document.CheckResponse(method, path, status, asDocumented);
        }
        return document.CheckResponse(method, path, status, body);
    }
}
