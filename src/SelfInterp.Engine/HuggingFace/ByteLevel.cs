using System.Text;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>GPT-2's byte-level alphabet, which byte-level BPE vocabularies (Llama 3, Qwen2) are written in: each byte
/// is one printable character — printable Latin-1 bytes stand for themselves, the others for 256 + their rank.</summary>
public static class ByteLevel
{
    static readonly char[] CharOf = BuildTable();
    static readonly Dictionary<char, byte> ByteOf = Enumerable.Range(0, 256).ToDictionary(b => CharOf[b], b => (byte)b);

    static char[] BuildTable()
    {
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)(256 + next++);
        }
        return table;
    }

    /// <summary>The byte-level form of a text (its UTF-8 bytes, one character each).</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = CharOf[bytes[i]];
        return new string(chars);
    }

    /// <summary>The bytes a byte-level token stands for; false when it holds a character outside the alphabet.</summary>
    public static bool TryDecode(string token, List<byte> destination)
    {
        foreach (char c in token)
        {
            if (!ByteOf.TryGetValue(c, out byte b)) return false;
            destination.Add(b);
        }
        return true;
    }

    public static char CharFor(byte b) => CharOf[b];
}
