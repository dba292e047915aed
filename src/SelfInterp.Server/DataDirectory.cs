namespace SelfInterp.Server;

/// <summary>
/// Where `serve` keeps its state (uploaded files, jobs, fine-tuned models) unless told otherwise: a per-user data
/// directory, never the working directory, so serving from a checkout writes nothing beside the shipped organism.
/// </summary>
public static class DataDirectory
{
    /// <summary>$XDG_DATA_HOME/selfinterp/serve, else ~/.local/share/selfinterp/serve (on Windows, under LocalApplicationData).</summary>
    public static string ForServe(Func<string, string?> environment)
    {
        var xdg = environment("XDG_DATA_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathFullyQualified(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(root, "selfinterp", "serve");
    }
}
