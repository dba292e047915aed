using System.Globalization;
using System.Text;
using SelfInterp.Core.Csv;
using SelfInterp.Analysis.Layout;

namespace SelfInterp.Analysis.Tests;

/// <summary>
/// Rewrites a <see cref="SyntheticRun"/> directory (integer keys, our writer) the way the published files are:
/// scenarios keyed by short name in every file, scenarios.csv listing a larger catalog in catalog order (extra
/// scenarios nobody used after the run's), instilled_weights.csv a row for every scenario of it, option values
/// as floats (<c>52.0</c>), model ids in a service's form. The rows themselves stay in place, so the analysis
/// must come out the same.
/// </summary>
public static class PublishedLayout
{
    public const int ExtraScenarios = 7;

    public static string Name(int index) => $"item_{index}_{(char)('a' + index % 26)}";

    public static void Convert(string dir, string modelId = "ft:gpt-4o-2024-08-06:org-name:100-instilled-prefs-50ex:B3QvzFG1")
    {
        var scenarios = CsvTable.Read(Path.Combine(dir, PaperLayout.ScenariosFile));
        int count = scenarios.Rows.Count;
        var catalog = new CsvWriter(PaperLayout.ScenarioColumns);
        for (int k = 0; k < count + ExtraScenarios; k++)
        {
            var source = scenarios.Rows[Math.Min(k, count - 1)];
            catalog.Field(Name(k));
            foreach (var column in PaperLayout.ScenarioColumns[1..]) catalog.Field(source[column]);
        }
        catalog.WriteTo(Path.Combine(dir, PaperLayout.ScenariosFile));

        // Every scenario gets a row; the ones never instilled get weights nobody acted on.
        var targets = CsvTable.Read(Path.Combine(dir, PaperLayout.InstilledWeightsFile)).Rows.ToDictionary(r => r.Int("scenario"));
        var weights = new CsvWriter(PaperLayout.WeightColumns);
        for (int k = 0; k < count + ExtraScenarios; k++)
        {
            weights.Field(Name(k));
            for (int i = 1; i <= 5; i++) weights.Field(targets.TryGetValue(k, out var row) ? row[$"attr{i}"] : ((k * 37 + i * 11) % 201 - 100).ToString(CultureInfo.InvariantCulture));
        }
        weights.WriteTo(Path.Combine(dir, PaperLayout.InstilledWeightsFile));

        foreach (var path in Directory.GetFiles(dir, "*.csv"))
        {
            var file = Path.GetFileName(path);
            if (file is PaperLayout.ScenariosFile or PaperLayout.InstilledWeightsFile) continue;
            var table = CsvTable.Read(path);
            var csv = new CsvWriter(table.Header);
            foreach (var row in table.Rows)
                for (int c = 0; c < table.Header.Count; c++)
                {
                    var column = table.Header[c];
                    var value = row[c];
                    csv.Field(column switch
                    {
                        "scenario" => Name(int.Parse(value, CultureInfo.InvariantCulture)),
                        "model" or "explaining_model" => modelId,
                        _ when column.StartsWith("A_attribute_") || column.StartsWith("B_attribute_") => AsFloat(value),
                        _ => value,
                    });
                }
            csv.WriteTo(path);
        }
    }

    /// <summary>Python's float formatting of an integral value: 52 → 52.0.</summary>
    private static string AsFloat(string value) =>
        value.Contains('.') || value.Contains('E') || value.Contains('e') ? value : value + ".0";

    /// <summary>CRLF line ends and a UTF-8 byte order mark, as a file saved on Windows.</summary>
    public static void ToWindowsText(string path)
    {
        var text = File.ReadAllText(path).Replace("\n", "\r\n");
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }

    /// <summary>Keeps the header and the data rows <paramref name="keep"/> accepts (1-based file lines).</summary>
    public static void KeepRows(string path, Func<int, string, bool> keep)
    {
        var lines = File.ReadAllLines(path);
        File.WriteAllText(path, string.Join('\n', lines.Where((l, i) => i == 0 || keep(i + 1, l))) + "\n");
    }
}
