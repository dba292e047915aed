using System.Text;

namespace SelfInterp.Core.IO;

/// <summary>Write to a temporary file beside the target, then rename: a killed process never leaves half a file.</summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, Utf8NoBom.GetBytes(text));

    /// <summary>As <see cref="WriteAllBytes"/>, but a file that already holds exactly these bytes is left as it is:
    /// a resume rewrites nothing that is unchanged (and needs no disk space for it).</summary>
    public static void WriteAllBytesIfChanged(string path, ReadOnlySpan<byte> bytes)
    {
        if (HasBytes(path, bytes)) return;
        WriteAllBytes(path, bytes);
    }

    public static void WriteAllTextIfChanged(string path, string text) => WriteAllBytesIfChanged(path, Utf8NoBom.GetBytes(text));

    private static bool HasBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != bytes.Length) return false;
        return File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes);
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, full, overwrite: true);
    }
}
