using System.Text.RegularExpressions;

namespace SelfInterp.Cli;

/// <summary>
/// System.CommandLine's message for a value of the wrong type names a .NET type ("as expected type
/// 'System.Nullable`1[System.UInt64]'"); a user is told in words which values the option takes.
/// </summary>
public static partial class ParseErrorText
{
    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.$", RegexOptions.Singleline)]
    private static partial Regex WrongType();

    public static string Plain(string message)
    {
        var m = WrongType().Match(message);
        if (!m.Success) return message;
        string type = m.Groups["type"].Value;
        string expected =
            Regex.IsMatch(type, @"\bSystem\.U(Int16|Int32|Int64|Byte)\b") ? "a whole number, 0 or more"
            : Regex.IsMatch(type, @"\bSystem\.(Int16|Int32|Int64|SByte)\b") ? "a whole number"
            : Regex.IsMatch(type, @"\bSystem\.(Double|Single|Decimal)\b") ? "a number"
            : Regex.IsMatch(type, @"\bSystem\.Boolean\b") ? "true or false"
            : "a value of the right kind";
        return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {expected}";
    }
}
