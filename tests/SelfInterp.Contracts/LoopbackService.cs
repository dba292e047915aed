using System.Net;
using System.Net.Sockets;

namespace SelfInterp.Contracts;

/// <summary>
/// A fake service (any <see cref="HttpMessageHandler"/>, e.g. a <see cref="ContractCheckedHandler"/> over
/// <see cref="FakeTogether"/>) on a loopback port, for tests that run the selfinterp executable as a user does.
/// </summary>
public sealed class LoopbackService : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpMessageInvoker _handler;
    private readonly Task _loop;

    public Uri BaseUrl { get; }

    public LoopbackService(HttpMessageHandler handler)
    {
        _handler = new HttpMessageInvoker(handler, disposeHandler: false);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
            probe.Stop();
        }
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (!_listener.IsListening) { return; }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            var inbound = context.Request;
            using var request = new HttpRequestMessage(new HttpMethod(inbound.HttpMethod), inbound.Url);
            if (inbound.HasEntityBody)
            {
                using var body = new MemoryStream();
                await inbound.InputStream.CopyToAsync(body);
                request.Content = new ByteArrayContent(body.ToArray());
                if (inbound.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            if (inbound.Headers["Authorization"] is { } auth) request.Headers.TryAddWithoutValidation("Authorization", auth);
            using var response = await _handler.SendAsync(request, default);
            context.Response.StatusCode = (int)response.StatusCode;
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (response.Content.Headers.ContentType is { } ct) context.Response.ContentType = ct.ToString();
            await context.Response.OutputStream.WriteAsync(bytes);
        }
        catch (Exception e)
        {
            // A contract violation (or any fault of the fake) reaches the client as a 500 naming it; the test then reads
            // the handler's Violations for the whole story.
            context.Response.StatusCode = 500;
            var error = new System.Text.Json.Nodes.JsonObject
            {
                ["error"] = new System.Text.Json.Nodes.JsonObject { ["message"] = e.Message, ["type"] = "fake_failure" },
            };
            var bytes = System.Text.Encoding.UTF8.GetBytes(error.ToJsonString());
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
        }
        finally
        {
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
