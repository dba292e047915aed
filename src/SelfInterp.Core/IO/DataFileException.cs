namespace SelfInterp.Core.IO;

/// <summary>Bad input in a data file: names the file, and where known the line and the field.</summary>
public sealed class DataFileException(string path, int? line, string? field, string problem)
    : Exception(Format(path, line, field, problem))
{
    public string FilePath { get; } = path;
    public int? LineNumber { get; } = line;
    public string? Field { get; } = field;
    public string Problem { get; } = problem;

    private static string Format(string path, int? line, string? field, string problem)
    {
        var where = line is null ? path : $"{path}:{line}";
        return field is null ? $"{where}: {problem}" : $"{where}: field '{field}': {problem}";
    }
}
