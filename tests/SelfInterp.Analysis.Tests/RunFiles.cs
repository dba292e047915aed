using System.Globalization;

namespace SelfInterp.Analysis.Tests;

/// <summary>Edits of generated CSV files (whose fields hold no commas or quotes), to plant bad input.</summary>
public static class RunFiles
{
    /// <summary>Sets one field of the record on 1-based file line <paramref name="line"/>.</summary>
    public static void SetField(string path, int line, string column, string value)
    {
        var lines = File.ReadAllLines(path);
        int index = Array.IndexOf(lines[0].Split(','), column);
        if (index < 0) throw new ArgumentException($"no column {column} in {path}");
        var fields = lines[line - 1].Split(',');
        fields[index] = value;
        lines[line - 1] = string.Join(',', fields);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    /// <summary>Applies <paramref name="edit"/> to a column of every record (header kept).</summary>
    public static void MapColumn(string path, string column, Func<double, double> edit)
    {
        var lines = File.ReadAllLines(path);
        int index = Array.IndexOf(lines[0].Split(','), column);
        for (int k = 1; k < lines.Length; k++)
        {
            var fields = lines[k].Split(',');
            fields[index] = edit(double.Parse(fields[index], CultureInfo.InvariantCulture)).ToString("R", CultureInfo.InvariantCulture);
            lines[k] = string.Join(',', fields);
        }
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    public static void RemoveColumn(string path, string column)
    {
        var lines = File.ReadAllLines(path);
        int index = Array.IndexOf(lines[0].Split(','), column);
        File.WriteAllText(path, string.Join('\n', lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => i != index)))) + "\n");
    }

    public static string Hash(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Replaces every occurrence of a text in the file.</summary>
    public static void MapText(string path, string from, string to) => File.WriteAllText(path, File.ReadAllText(path).Replace(from, to));
}
