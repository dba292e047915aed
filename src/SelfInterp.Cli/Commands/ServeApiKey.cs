using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Commands;

/// <summary>Where `serve` finds the key clients must send: --api-key, --api-key-file, or the environment. The key
/// itself is never printed or logged.</summary>
public static class ServeApiKey
{
    public const string EnvironmentVariable = "SELFINTERP_SERVE_API_KEY";

    /// <summary>The key, or null for an open server. At most one source on the command line; either beats the environment.</summary>
    public static string? Resolve(string? key, string? keyFile)
    {
        if (key is not null && keyFile is not null) throw new UsageException("give --api-key or --api-key-file, not both");
        if (key is not null) return NonEmpty(key, "--api-key");
        if (keyFile is not null)
        {
            if (!File.Exists(keyFile)) throw new UsageException($"--api-key-file {keyFile}: file not found");
            string first = File.ReadLines(keyFile).FirstOrDefault() ?? "";
            return NonEmpty(first.Trim(), $"{keyFile}:1: field 'api key'");
        }
        return Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? NonEmpty(env.Trim(), EnvironmentVariable) : null;
    }

    private static string NonEmpty(string key, string where) =>
        string.IsNullOrWhiteSpace(key) ? throw new UsageException($"{where}: the API key is empty") : key;
}
