using System.Text.RegularExpressions;

namespace SelfInterp.Cli;

/// <summary>
/// System.CommandLine's message for a value of the wrong type names a .NET type ("as expected type
/// 'System.Nullable`1[System.UInt64]'"), and its message for a value outside an option's list does not name the
/// option; a user is told in words which option and which values it takes.
/// </summary>
public static partial class ParseErrorText
{
    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.$", RegexOptions.Singleline)]
    private static partial Regex WrongType();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<known>.*)$", RegexOptions.Singleline)]
    private static partial Regex NotAmong();

    public static string Plain(System.CommandLine.Parsing.ParseError error) =>
        Plain(error.Message, (error.SymbolResult as System.CommandLine.Parsing.OptionResult)?.Option.Name
                             ?? ((error.SymbolResult as System.CommandLine.Parsing.ArgumentResult)?.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name);

    /// <param name="option">The option whose value the error is about, where known.</param>
    public static string Plain(string message, string? option = null)
    {
        if (NotAmong().Match(message) is { Success: true } among)
        {
            var known = Regex.Matches(among.Groups["known"].Value, "'([^']*)'").Select(k => k.Groups[1].Value);
            return $"{option ?? "a value"} '{among.Groups["value"].Value}': not one of {string.Join(", ", known)}";
        }
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
