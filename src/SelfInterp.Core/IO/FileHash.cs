using System.Security.Cryptography;

namespace SelfInterp.Core.IO;

/// <summary>A file's SHA-256 as lower-case hex: how run.json, dataset imports and evaluation archives name the bytes they saw.</summary>
public static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
