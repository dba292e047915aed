using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfInterp.Core.Backends;

namespace SelfInterp.Backends.FineTuning;

/// <summary>
/// `run --fine-tune together --dry-run`: the requests SelfInterp would send for each fine-tune, built by the same
/// <see cref="TogetherRequests"/> as the real ones, shown instead of sent. Ids that only Together can give (an
/// uploaded file's, the instilled model's output name) appear as placeholders; the key as its variable's name.
/// </summary>
public static class TogetherPreview
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Render(IReadOnlyList<PendingFineTune> pending, TogetherOptions options)
    {
        var sb = new StringBuilder();
        sb.Append($"dry run: the requests to Together's fine-tuning API ({options.Url}), nothing sent; each carries Authorization: Bearer ${TogetherOptions.ApiKeyVariable}\n");
        foreach (var p in pending)
        {
            sb.Append($"\n# {p.Key}\n");
            string Placeholder(string file) => $"<id of uploaded {Path.GetFileName(file)}>";
            Append(sb, TogetherRequests.Upload(p.TrainingFile, File.ReadAllBytes(p.TrainingFile)), options);
            if (p.ValidationFile is { } v) Append(sb, TogetherRequests.Upload(v, File.ReadAllBytes(v)), options);
            var request = new FineTuneRequest(p.FromModel ?? $"<output model of the {p.FromKey} job>", p.Key, p.TrainingFile, p.ValidationFile, [], p.Seed);
            var body = TogetherRequests.CreateBody(request, Placeholder(p.TrainingFile), p.ValidationFile is null ? null : Placeholder(p.ValidationFile), options, p.TeachesReports);
            Append(sb, TogetherRequests.Create(body), options);
            sb.Append($"then GET {new Uri(options.Url, "fine-tunes/<job id>")} every {options.PollInterval.TotalSeconds:0.##} s until completed; its model_output_name is the {p.Key} model\n");
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, HttpRequestMessage request, TogetherOptions options)
    {
        using (request)
        {
            sb.Append($"{request.Method} {new Uri(options.Url, request.RequestUri!)}\n");
            switch (request.Content)
            {
                case MultipartFormDataContent form:
                    foreach (var part in form)
                    {
                        var d = part.Headers.ContentDisposition;
                        string name = d?.Name?.Trim('"') ?? "?";
                        sb.Append(d?.FileName is { } file
                            ? $"  {name}: <{file.Trim('"')}, {part.Headers.ContentLength ?? part.ReadAsByteArrayAsync().Result.Length} bytes>\n"
                            : $"  {name}: {part.ReadAsStringAsync().Result}\n");
                    }
                    break;
                case { } content:
                    var json = JsonNode.Parse(content.ReadAsStringAsync().Result)!;
                    sb.Append(json.ToJsonString(Indented)).Append('\n');
                    break;
            }
        }
    }
}
