namespace SelfInterp.Core.IO;

public static class FileNames
{
    /// <summary>A model id as it can appear in a file name: anything but letters, digits, '-', '.', '_' becomes '_'.</summary>
    public static string Safe(string model) =>
        string.Concat(model.Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_'));
}
