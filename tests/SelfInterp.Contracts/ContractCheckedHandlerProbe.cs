using System.Net;
using System.Text;

namespace SelfInterp.Contracts;

/// <summary>Sends one request through a <see cref="ContractCheckedHandler"/> to a service that answers one fixed body:
/// how the tests show that the check refuses a shape the document does not allow.</summary>
public static class ContractCheckedHandlerProbe
{
    private sealed class Fixed(int status, string? body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage((HttpStatusCode)status)
            { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") });
    }

    /// <summary>An answer of <paramref name="status"/> with <paramref name="json"/> to METHOD path; throws ContractException if not allowed.</summary>
    public static void Answer(ApiDocument document, string method, string path, string json, int status = 200) =>
        Send(document, method, path, null, new Fixed(status, json));

    /// <summary>A request with the JSON body <paramref name="json"/>; throws ContractException if not allowed.</summary>
    public static void Request(ApiDocument document, string method, string path, string json) =>
        Send(document, method, path, new StringContent(json, Encoding.UTF8, "application/json"), new Fixed(400, null));

    private static void Send(ApiDocument document, string method, string path, HttpContent? content, HttpMessageHandler inner)
    {
        using var client = new HttpClient(new ContractCheckedHandler(document, inner));
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(new Uri("http://contract.test"), path)) { Content = content };
        client.SendAsync(request).GetAwaiter().GetResult().Dispose();
    }
}
