using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SelfInterp.Core.Backends;

namespace SelfInterp.Server;

/// <summary>
/// An OpenAI-compatible HTTP API over any <see cref="IModelBackend"/>: models, chat completions, files and
/// fine-tuning jobs, on Kestrel with minimal APIs. Start it, read <see cref="BaseUrl"/>, dispose to stop.
/// </summary>
public sealed class SelfInterpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BackendDispatcher _dispatcher;

    public Uri BaseUrl { get; }
    public ServerStore Store { get; }

    private SelfInterpServer(WebApplication app, BackendDispatcher dispatcher, ServerStore store, Uri baseUrl)
    {
        _app = app;
        _dispatcher = dispatcher;
        Store = store;
        BaseUrl = baseUrl;
    }

    /// <param name="isDecision">Whether a prompt asks for a choice between A and B (answered by ChooseAsync).</param>
    /// <param name="logging">Adds log providers; null logs nothing. Request headers (the key) are never logged.</param>
    public static async Task<SelfInterpServer> StartAsync(ServerOptions options, IModelBackend backend, Func<ChatPrompt, bool> isDecision,
        Action<ILoggingBuilder>? logging = null, CancellationToken ct = default)
    {
        if (options.FailRate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), "fail rate must be between 0 and 1");
        var time = TimeProvider.System;
        var store = new ServerStore(options.ModelsDirectory, options.BaseModel, time);
        var gate = new BackendGate();
        var dispatcher = new BackendDispatcher(backend, gate, options.BatchSize);
        var worker = new FineTuningWorker(store, backend, gate);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Listen(ParseHost(options.Host), options.Port);
        });
        builder.Services.AddSingleton<IHostedService>(worker);
        var app = builder.Build();

        app.Use(ServerMiddleware.Errors);
        app.Use(ServerMiddleware.ApiKey(options.ApiKey));
        app.Use(ServerMiddleware.Faults(options.FailRate, options.Seed));

        app.MapGet("/v1/models", () => Json.Result(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(store.Models().Select(m => (JsonNode)RenderModel(m)).ToArray()),
        }));
        app.MapGet("/v1/models/{id}", (string id) =>
            Json.Result(RenderModel(store.Models().FirstOrDefault(m => m.Id == id)
                ?? throw ApiError.NotFound($"The model '{id}' does not exist", "model", "model_not_found"))));
        ChatEndpoints.Map(app, store, dispatcher, isDecision, time);
        FilesEndpoints.Map(app, store);
        FineTuningEndpoints.Map(app, store, worker, options.Seed);
        app.MapFallback((HttpContext http) =>
            new ApiError(404, $"Unknown request URL: {http.Request.Method} {http.Request.Path}", code: "unknown_url").ToResult());

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SelfInterpServer(app, dispatcher, store, new Uri(address.TrimEnd('/') + "/v1/"));
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        _ when IPAddress.TryParse(host, out var ip) => ip,
        _ => throw new Core.Runs.UsageException($"--host '{host}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)"),
    };

    private static JsonObject RenderModel(ServedModel m) => new()
    {
        ["id"] = m.Id,
        ["object"] = "model",
        ["created"] = m.Created,
        ["owned_by"] = m.Parent is null ? "selfinterp" : "user",
    };

    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _dispatcher.DisposeAsync();
        await _app.DisposeAsync();
    }
}
