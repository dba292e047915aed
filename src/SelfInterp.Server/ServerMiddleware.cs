using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.Server;

/// <summary>The request pipeline's checks, in the order they run: errors to JSON, the API key, injected faults.</summary>
public static class ServerMiddleware
{
    /// <summary>Any failure becomes an OpenAI-style error answer; the server goes on serving.</summary>
    public static async Task Errors(HttpContext http, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            var error = e switch
            {
                ApiError a => a,
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                    new ApiError(413, "the request body is larger than this server accepts", code: "request_too_large"),
                BadHttpRequestException b => new ApiError(b.StatusCode, b.Message),
                InvalidDataException d => new ApiError(400, $"the request could not be read: {d.Message}"),
                UsageException or DataFileException => new ApiError(400, e.Message),
                _ => new ApiError(500, $"the backend failed: {e.GetType().Name}: {e.Message}", "server_error"),
            };
            await error.WriteAsync(http);
        }
    }

    /// <summary>Requires "Authorization: Bearer KEY" when the server has a key (compared in constant time).</summary>
    public static Func<HttpContext, Func<Task>, Task> ApiKey(string? key)
    {
        var expected = key is null ? null : Encoding.UTF8.GetBytes(key);
        return async (http, next) =>
        {
            if (expected is not null)
            {
                string header = http.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
                {
                    await new ApiError(401, "You didn't provide an API key: send it as 'Authorization: Bearer KEY'.", code: "missing_api_key").WriteAsync(http);
                    return;
                }
                var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
                if (!CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    await new ApiError(401, "Incorrect API key provided.", code: "invalid_api_key").WriteAsync(http);
                    return;
                }
            }
            await next();
        };
    }

    /// <summary>Answers a share of requests with 429 or 500 (half each), drawn from a seeded stream, for resilience tests.</summary>
    public static Func<HttpContext, Func<Task>, Task> Faults(double rate, ulong seed)
    {
        var rng = new SeededStream("serve_fault_injection", seed);
        return async (http, next) =>
        {
            if (rate > 0)
            {
                bool fail, throttle;
                lock (rng)
                {
                    fail = rng.NextDouble() < rate;
                    throttle = rng.NextDouble() < 0.5;
                }
                if (fail)
                {
                    var error = throttle
                        ? new ApiError(429, "Rate limit reached (injected by --fail-rate).", "requests", code: "rate_limit_exceeded")
                        : new ApiError(500, "The server had an error while processing your request (injected by --fail-rate).", "server_error");
                    await error.WriteAsync(http);
                    return;
                }
            }
            await next();
        };
    }
}
