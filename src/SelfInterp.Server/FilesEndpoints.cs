using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.IO;

namespace SelfInterp.Server;

/// <summary>POST /v1/files (multipart: file, purpose), GET /v1/files (the list) and GET /v1/files/{id}. Uploads must be chat JSONL.</summary>
public static class FilesEndpoints
{
    public const string UploadsDirectory = "uploads";

    public static void Map(WebApplication app, ServerStore store)
    {
        app.MapPost("/v1/files", async (HttpRequest http, CancellationToken ct) =>
        {
            if (!http.HasFormContentType) throw ApiError.BadRequest("send the file as multipart/form-data with fields 'file' and 'purpose'");
            var form = await http.ReadFormAsync(ct);
            var purpose = form["purpose"].ToString();
            if (purpose != "fine-tune") throw ApiError.BadRequest($"purpose '{purpose}' is not supported; this server takes 'fine-tune' files", "purpose");
            var upload = form.Files.GetFile("file") ?? throw ApiError.BadRequest("the form has no 'file' field", "file");
            using var ms = new MemoryStream();
            await upload.CopyToAsync(ms, ct);
            var bytes = ms.ToArray();
            string text = StrictUtf8.TryDecode(bytes, out int badLine, out int badColumn)
                ?? throw ApiError.BadRequest($"{upload.FileName}:{badLine}: the file is not UTF-8 text (byte {badColumn} of the line)", "file", "invalid_file");
            try { ChatJsonl.Parse(upload.FileName, text); }
            catch (DataFileException e) { throw ApiError.BadRequest($"invalid chat JSONL: {e.Message}", "file", "invalid_file"); }

            var id = store.NewId("file");
            var dir = Path.Combine(store.Directory, UploadsDirectory);
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, id + ".jsonl");
            AtomicFile.WriteAllBytes(path, bytes);
            var file = new StoredFile { Id = id, Filename = Path.GetFileName(upload.FileName), Bytes = bytes.Length, CreatedAt = store.Now, Purpose = purpose, Path = path };
            store.AddFile(file);
            return Json.Result(Render(file));
        });

        // Newest first; ?purpose= filters, ?order=asc reverses.
        app.MapGet("/v1/files", (HttpRequest http) =>
        {
            string? purpose = http.Query["purpose"];
            var files = store.Files().Where(f => purpose is null || f.Purpose == purpose).ToList();
            string order = http.Query["order"].ToString() is { Length: > 0 } o ? o : "desc";
            if (order is not ("asc" or "desc")) throw ApiError.BadRequest($"order '{order}' must be asc or desc", "order");
            if (order == "desc") files.Reverse();
            return Json.Result(ListPage.Of(files, f => f.Id, f => Render(f), http, defaultLimit: 10_000, maxLimit: 10_000));
        });

        app.MapGet("/v1/files/{id}", (string id) =>
            Json.Result(Render(store.FindFile(id) ?? throw ApiError.NotFound($"No such file: '{id}'", "id"))));
    }

    public static JsonObject Render(StoredFile f) => new()
    {
        ["id"] = f.Id,
        ["object"] = "file",
        ["bytes"] = f.Bytes,
        ["created_at"] = f.CreatedAt,
        ["filename"] = f.Filename,
        ["purpose"] = f.Purpose,
        ["status"] = "processed",
        // status_details left out: OpenAI's document types it a string (deprecated), so null would not be allowed.
    };
}
