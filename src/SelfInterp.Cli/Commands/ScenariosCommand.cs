using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Runs;
using Spectre.Console;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp scenarios validate|list|show`: inspect and check a catalog.</summary>
public static class ScenariosCommand
{
    public static Command Create()
    {
        var catalog = new Option<string?>("--catalog") { Description = "Catalog file (JSON or scenarios.csv). Default: the shipped catalog." };
        var roles = new Option<string?>("--roles") { Description = "Roles file. Default: the shipped roles." };
        var json = new Option<bool>("--json") { Description = "Print {\"scenarios\": N, \"roles\": M, \"errors\": [...]}." };

        var validate = new Command("validate", "Check a catalog and a roles file; print counts and every problem found.");
        validate.Options.Add(catalog); validate.Options.Add(roles); validate.Options.Add(json);
        validate.SetAction(p =>
        {
            var (scenarios, roleList, errors) = Check(p.GetValue(catalog), p.GetValue(roles));
            if (p.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { scenarios, roles = roleList, errors }));
            else
            {
                Console.WriteLine($"{scenarios} scenarios, {roleList} roles, {errors.Count} problems");
                foreach (var e in errors) Console.WriteLine($"  {e}");
            }
            return errors.Count == 0 ? 0 : 2;
        });

        var listJson = new Option<bool>("--json") { Description = "Print [{\"id\": N, \"short_name\": …, \"question\": …, \"attributes\": [{\"name\", \"units\", \"min\", \"max\"}]}, …]." };
        var list = new Command("list", "List the catalog's scenarios with their ids, one per line.");
        list.Options.Add(catalog); list.Options.Add(listJson);
        list.SetAction(p =>
        {
            var c = ScenarioCatalog.Load(p.GetValue(catalog));
            if (p.GetValue(listJson))
            {
                Console.WriteLine(JsonSerializer.Serialize(c.Scenarios.Select((s, i) => new
                {
                    id = i, short_name = s.ShortName, question = s.Question,
                    attributes = s.Attributes.Select(a => new { name = a.Name, units = a.Units, min = a.Min, max = a.Max }),
                }), new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }
            // One line per scenario (a box table of 1,100 rows is no use in a pager or a file).
            int width = c.Scenarios.Count == 0 ? 0 : c.Scenarios.Max(s => s.ShortName.Length);
            for (int i = 0; i < c.Scenarios.Count; i++)
                Console.WriteLine($"{i,5}  {c.Scenarios[i].ShortName.PadRight(width)}  {c.Scenarios[i].Question}");
            return 0;
        });

        var name = new Argument<string>("name") { Description = "A scenario's short_name or id." };
        var showJson = new Option<bool>("--json") { Description = "Print the scenario as JSON." };
        var show = new Command("show", "Show one scenario's question and attributes.");
        show.Options.Add(catalog); show.Options.Add(showJson); show.Arguments.Add(name);
        show.SetAction(p =>
        {
            var c = ScenarioCatalog.Load(p.GetValue(catalog));
            var key = p.GetValue(name)!;
            int id = int.TryParse(key, out var n) && n >= 0 && n < c.Scenarios.Count
                ? n
                : c.Scenarios.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.ShortName == key, (null!, -1)).Item2;
            if (id < 0) throw new UsageException($"no scenario named '{key}' in the catalog");
            var s = c.Scenarios[id];
            if (p.GetValue(showJson))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    id, short_name = s.ShortName, question = s.Question,
                    attributes = s.Attributes.Select(a => new { name = a.Name, units = a.Units, min = a.Min, max = a.Max }),
                }, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }
            AnsiConsole.MarkupLine($"[bold]{id}[/] {Markup.Escape(s.ShortName)}: {Markup.Escape(s.Question)}");
            var table = new Table().AddColumns("attribute", "units", "min", "max");
            foreach (var a in s.Attributes)
                table.AddRow(Markup.Escape(a.Name), Markup.Escape(a.Units), a.Min.ToString(CultureInfo.InvariantCulture), a.Max.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        });

        var command = new Command("scenarios", "Inspect and validate scenario catalogs.");
        command.Subcommands.Add(validate);
        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        return command;
    }

    /// <summary>Counts what parsed and collects every problem, from both files.</summary>
    public static (int Scenarios, int Roles, List<string> Errors) Check(string? catalogPath, string? rolesPath)
    {
        var embedded = ScenarioCatalog.Embedded();
        var scenarios = catalogPath is null ? new Parsed<IReadOnlyList<Preferences.Scenarios.Scenario>>(embedded.Scenarios, []) : CatalogReader.ReadScenarios(catalogPath);
        var roles = rolesPath is null ? new Parsed<IReadOnlyList<string>>(embedded.Roles, []) : CatalogReader.ReadRoles(rolesPath);
        return (scenarios.Value.Count, roles.Value.Count, [.. scenarios.Errors, .. roles.Errors]);
    }
}
