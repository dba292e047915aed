using SelfInterp.Preferences.Scenarios;

namespace SelfInterp.Preferences.Catalog;

/// <summary>The scenarios and roles an experiment draws from. Scenario ids are positions in <see cref="Scenarios"/>.</summary>
public sealed record ScenarioCatalog(IReadOnlyList<Scenario> Scenarios, IReadOnlyList<string> Roles)
{
    public const string EmbeddedScenarios = "SelfInterp.Preferences.Catalog.Data.scenarios.json";
    public const string EmbeddedRoles = "SelfInterp.Preferences.Catalog.Data.roles.txt";

    /// <summary>The catalog shipped with SelfInterp (our own scenarios and roles).</summary>
    public static ScenarioCatalog Embedded()
    {
        var asm = typeof(ScenarioCatalog).Assembly;
        string Read(string name)
        {
            using var s = asm.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing embedded resource {name}");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
        var scenarios = CatalogReader.ParseScenariosJson("<embedded>/scenarios.json", Read(EmbeddedScenarios));
        var roles = CatalogReader.ParseRoles("<embedded>/roles.txt", Read(EmbeddedRoles));
        return new ScenarioCatalog(scenarios.Value, roles.Value);
    }

    /// <summary>
    /// Loads a catalog file: our JSON (the paper's catalog schema) or a paper <c>scenarios.csv</c>;
    /// roles from a text file, one per line, or the embedded roles when none is given.
    /// Throws <see cref="CatalogException"/> listing every problem found.
    /// </summary>
    public static ScenarioCatalog Load(string? catalogPath, string? rolesPath = null)
    {
        if (catalogPath is null && rolesPath is null) return Embedded();
        var embedded = Embedded();
        var scenarios = catalogPath is null ? embedded.Scenarios : CatalogReader.ReadScenarios(catalogPath).OrThrow();
        var roles = rolesPath is null ? embedded.Roles : CatalogReader.ReadRoles(rolesPath).OrThrow();
        return new ScenarioCatalog(scenarios, roles);
    }
}

public sealed class CatalogException(IReadOnlyList<string> errors)
    : Exception(errors.Count == 1 ? errors[0] : $"{errors.Count} problems:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>What a catalog file parsed to, and every problem found in it.</summary>
public sealed record Parsed<T>(T Value, IReadOnlyList<string> Errors)
{
    public T OrThrow() => Errors.Count == 0 ? Value : throw new CatalogException(Errors);
}
