namespace SelfInterp.Server;

/// <summary>How `selfinterp serve` listens and behaves.</summary>
/// <param name="Host">Address to bind; loopback unless the user says otherwise.</param>
/// <param name="Port">0 = any free port (tests).</param>
/// <param name="ApiKey">When set, every request must carry "Authorization: Bearer KEY".</param>
/// <param name="ModelsDirectory">Uploaded files, the jobs and the list of fine-tuned models live here, so they survive a restart.</param>
/// <param name="BaseModel">The id under which the backend's base model is served.</param>
/// <param name="FailRate">Share of requests answered at random with 429 or 500 instead, for resilience tests.</param>
/// <param name="Seed">Seeds the fault injection and the seeds of jobs that name none.</param>
/// <param name="MaxRequestBytes">Larger request bodies are refused with 413.</param>
public sealed record ServerOptions(
    string ModelsDirectory,
    string BaseModel,
    string Host = "127.0.0.1",
    int Port = 8000,
    string? ApiKey = null,
    double FailRate = 0,
    ulong Seed = 1,
    long MaxRequestBytes = 64L * 1024 * 1024,
    int BatchSize = 100)
{
    /// <summary>The key is a secret: shown only as set or not, so printing the options never reveals it.</summary>
    private bool PrintMembers(System.Text.StringBuilder b)
    {
        b.Append($"ModelsDirectory = {ModelsDirectory}, BaseModel = {BaseModel}, Host = {Host}, Port = {Port}, ");
        b.Append($"ApiKey = {(ApiKey is null ? "none" : "(set)")}, FailRate = {FailRate}, Seed = {Seed}, MaxRequestBytes = {MaxRequestBytes}, BatchSize = {BatchSize}");
        return true;
    }
}
