using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SelfInterp.Core.Csv;
using SelfInterp.Core.IO;
using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Preferences.Catalog;

/// <summary>Reads and validates catalogs: the paper's catalog JSON, a paper <c>scenarios.csv</c>, a roles file.</summary>
public static partial class CatalogReader
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    public static Parsed<IReadOnlyList<Scenario>> ReadScenarios(string path)
    {
        if (!File.Exists(path)) return new([], [$"{path}: file not found"]);
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? ParseScenariosCsv(path)
            : ParseScenariosJson(path, File.ReadAllText(path));
    }

    public static Parsed<IReadOnlyList<Scenario>> ParseScenariosJson(string path, string json)
    {
        var errors = new List<string>();
        var scenarios = new List<Scenario>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return new([], [$"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}"]);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                return new([], [$"{path}: expected a JSON array of scenarios"]);
            int index = 0;
            foreach (var el in doc.RootElement.EnumerateArray())
            {
                var scenario = ParseScenario(el, index, $"{path}: scenario {index}", errors);
                if (scenario is not null) scenarios.Add(scenario);
                index++;
            }
        }
        CheckUniqueShortNames(path, scenarios, errors);
        return new(scenarios, errors);
    }

    private static Scenario? ParseScenario(JsonElement el, int index, string where, List<string> errors)
    {
        if (el.ValueKind != JsonValueKind.Object) { errors.Add($"{where}: expected an object"); return null; }
        string? shortName = Str(el, "short_name");
        if (shortName is not null) where = $"{where.Split(": scenario")[0]}: scenario {index} ({shortName})";
        string? question = Str(el, "question");
        int before = errors.Count;
        if (string.IsNullOrWhiteSpace(shortName)) errors.Add($"{where}: field 'short_name': missing or empty");
        if (string.IsNullOrWhiteSpace(question)) errors.Add($"{where}: field 'question': missing or empty");
        var attributes = new List<AttributeSpec>();
        if (!el.TryGetProperty("attributes", out var attrs) || attrs.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{where}: field 'attributes': missing or not an array");
            return null;
        }
        int ai = 0;
        foreach (var a in attrs.EnumerateArray())
        {
            string field = $"attributes[{ai}]";
            if (a.ValueKind != JsonValueKind.Object) { errors.Add($"{where}: field '{field}': expected an object"); ai++; continue; }
            string? name = Str(a, "name");
            string units = Str(a, "units") ?? "";
            double min = double.NaN, max = double.NaN;
            if (a.TryGetProperty("range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
                && range[0].ValueKind == JsonValueKind.Number && range[1].ValueKind == JsonValueKind.Number)
            {
                min = range[0].GetDouble(); max = range[1].GetDouble();
            }
            else if (a.TryGetProperty("range", out var r2) && r2.ValueKind == JsonValueKind.Array && r2.GetArrayLength() == 2
                && r2[0].ValueKind == JsonValueKind.String && r2[1].ValueKind == JsonValueKind.String)
            {
                // NaN and Infinity can only arrive as strings in JSON; parse them so they are reported as what they are.
                double.TryParse(r2[0].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out min);
                double.TryParse(r2[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out max);
            }
            else
            {
                errors.Add($"{where}: field '{field}.range': expected [min, max] with two numbers");
                (min, max) = (0, 1); // reported above; keeps the range check below from reporting it twice
            }
            attributes.Add(new AttributeSpec(name ?? "", units, min, max));
            ai++;
        }
        ValidateScenario(new Scenario(shortName ?? "", question ?? "", attributes), where, errors);
        return errors.Count == before ? new Scenario(shortName!, question!, attributes) : null;
    }

    /// <summary>The checks every scenario must pass, whatever file it came from: everything that would fail or
    /// quietly degrade later (a prompt, a rounding, a normalisation) is refused here, before a run starts.</summary>
    public static void ValidateScenario(Scenario s, string where, List<string> errors)
    {
        CheckText(s.ShortName, $"{where}: field 'short_name'", errors);
        CheckText(s.Question, $"{where}: field 'question'", errors);
        if (s.Attributes.Count != Scenario.AttributeCount)
            errors.Add($"{where}: field 'attributes': expected exactly {Scenario.AttributeCount} attributes, found {s.Attributes.Count}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < s.Attributes.Count; i++)
        {
            var a = s.Attributes[i];
            string field = $"attributes[{i}]";
            if (string.IsNullOrEmpty(a.Name)) errors.Add($"{where}: field '{field}.name': missing or empty");
            else if (!SnakeCase().IsMatch(a.Name)) errors.Add($"{where}: field '{field}.name': '{a.Name}' is not snake_case");
            else if (!seen.Add(a.Name)) errors.Add($"{where}: field '{field}.name': duplicate attribute name '{a.Name}'");
            CheckText(a.Units, $"{where}: field '{field}.units'", errors);
            if (RangeProblem(a) is { } problem) errors.Add($"{where}: field '{field}.range': {problem}");
        }
    }

    /// <summary>Largest |min| or |max|: beyond it a double no longer holds every value a prompt shows (2^53 ≈ 9e15).</summary>
    public const double MaxMagnitude = 1e15;

    /// <summary>Why values cannot be drawn, rounded and normalised in this range, or null.</summary>
    private static string? RangeProblem(AttributeSpec a)
    {
        string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        if (!double.IsFinite(a.Min) || !double.IsFinite(a.Max)) return "min and max must be finite numbers";
        if (a.Min >= a.Max) return $"min ({F(a.Min)}) must be less than max ({F(a.Max)})";
        if (Math.Max(Math.Abs(a.Min), Math.Abs(a.Max)) > MaxMagnitude)
            return $"[{F(a.Min)}, {F(a.Max)}] is too large in magnitude (at most {F(MaxMagnitude)})";
        // Values are shown with more decimals the narrower the range; Math.Round takes at most 15, and the shown
        // values must stay distinct doubles at the range's magnitude.
        int decimals = Generation.OptionValues.Decimals(a.Range);
        if (decimals > 15 || Math.Max(Math.Abs(a.Min), Math.Abs(a.Max)) * Math.Pow(10, decimals) > MaxMagnitude)
            return $"[{F(a.Min)}, {F(a.Max)}] is too narrow for its magnitude: its values would need {decimals} decimals, " +
                   $"more than a double holds (widen the range or shift it towards 0)";
        return null;
    }

    /// <summary>Text that is substituted into prompts must not carry template syntax or break the prompt's lines:
    /// no braces ({question} would be filled in too) and no line breaks or other control characters.
    /// Adds the problem and returns false if there is one.</summary>
    private static bool CheckText(string text, string where, List<string> errors)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '{' or '}')
            {
                errors.Add($"{where}: '{Shorten(text)}' has a brace at character {i + 1}; braces are template placeholder syntax");
                return false;
            }
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                errors.Add($"{where}: '{Shorten(text)}' has a control character (U+{(int)c:X4}) at character {i + 1}; a line break would change the prompt's structure");
                return false;
            }
        }
        return true;
    }

    private static string Shorten(string text)
    {
        var oneLine = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
        return oneLine.Length <= 40 ? oneLine : oneLine[..37] + "...";
    }

    private static void CheckUniqueShortNames(string path, List<Scenario> scenarios, List<string> errors)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < scenarios.Count; i++)
            if (!seen.TryAdd(scenarios[i].ShortName, i))
                errors.Add($"{path}: scenario ({scenarios[i].ShortName}): field 'short_name': duplicate of an earlier scenario");
    }

    private static string? Str(JsonElement el, string name) =>
        el.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The columns of a catalog as a <c>scenarios.csv</c> (the paper's published format).</summary>
    public static readonly string[] ScenarioColumns =
        ["scenario", "question",
         "attr1", "attr2", "attr3", "attr4", "attr5",
         "attr1_min", "attr2_min", "attr3_min", "attr4_min", "attr5_min",
         "attr1_max", "attr2_max", "attr3_max", "attr4_max", "attr5_max"];

    /// <summary>A paper <c>scenarios.csv</c>: names and ranges but no units, so units are left empty.</summary>
    public static Parsed<IReadOnlyList<Scenario>> ParseScenariosCsv(string path)
    {
        var errors = new List<string>();
        var scenarios = new List<Scenario>();
        CsvTable table;
        try
        {
            table = CsvTable.Read(path);
            table.RequireColumns(ScenarioColumns);
        }
        catch (DataFileException e) { return new([], [e.Message]); }
        foreach (var row in table.Rows)
        {
            string where = $"{path}:{row.Line}";
            var attributes = new List<AttributeSpec>();
            for (int i = 1; i <= Scenario.AttributeCount; i++)
            {
                double min = double.NaN, max = double.NaN;
                if (!row.TryDouble($"attr{i}_min", out min)) errors.Add($"{where}: field 'attr{i}_min': '{row[$"attr{i}_min"]}' is not a finite number");
                if (!row.TryDouble($"attr{i}_max", out max)) errors.Add($"{where}: field 'attr{i}_max': '{row[$"attr{i}_max"]}' is not a finite number");
                attributes.Add(new AttributeSpec(row[$"attr{i}"], "", min, max));
            }
            int before = errors.Count;
            // The published file keys by short name; our earlier runs by index, which is no name.
            var key = row["scenario"];
            var s = new Scenario(int.TryParse(key, out _) ? "scenario_" + key : key, row["question"], attributes);
            ValidateScenario(s, where, errors);
            if (errors.Count == before) scenarios.Add(s);
        }
        return new(scenarios, errors);
    }

    public static Parsed<IReadOnlyList<string>> ReadRoles(string path) =>
        File.Exists(path) ? ParseRoles(path, File.ReadAllText(path)) : new([], [$"{path}: file not found"]);

    /// <summary>Roles, one per line; a blank or padded line is an error (it would make a prompt like "Imagine you are .").</summary>
    public static Parsed<IReadOnlyList<string>> ParseRoles(string path, string text)
    {
        var errors = new List<string>();
        var roles = new List<string>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0) count--; // the final newline
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line)) errors.Add($"{path}:{i + 1}: field 'role': blank line");
            else if (line.Trim() != line) errors.Add($"{path}:{i + 1}: field 'role': leading or trailing spaces");
            else if (!seen.Add(line)) errors.Add($"{path}:{i + 1}: field 'role': duplicate role '{line}'");
            else if (CheckText(line, $"{path}:{i + 1}: field 'role'", errors)) roles.Add(line);
        }
        if (count == 0) errors.Add($"{path}: no roles");
        return new(roles, errors);
    }
}
