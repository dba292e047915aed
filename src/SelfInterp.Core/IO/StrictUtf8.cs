using System.Text;

namespace SelfInterp.Core.IO;

/// <summary>
/// Text that must be UTF-8: an invalid byte is refused with its line and column, never read as U+FFFD (which would
/// train on, or ask with, text nobody wrote). A leading byte-order mark is dropped, as .NET's readers do.
/// </summary>
public static class StrictUtf8
{
    /// <summary>The text, or null with the 1-based line and byte column of the first invalid byte.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes, out int line, out int column)
    {
        line = column = 0;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        int offset = FirstInvalid(bytes);
        line = 1;
        int start = 0;
        for (int i = 0; i < offset; i++) if (bytes[i] == (byte)'\n') { line++; start = i + 1; }
        column = offset - start + 1;
        return null;
    }

    /// <summary>Reads a file that must be UTF-8; an invalid byte is a <see cref="DataFileException"/> naming its line.</summary>
    public static string ReadAllText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return TryDecode(bytes, out int line, out int column)
            ?? throw new DataFileException(path, line, null, $"not valid UTF-8 (byte {column} of the line); save the file as UTF-8");
    }

    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) == System.Buffers.OperationStatus.Done) i += consumed;
        return i;
    }
}
