namespace SelfInterp.Preferences.Catalog;

/// <summary>An experiment run over the scenario catalog: the organism reads its prompts through this catalog.</summary>
public interface IScenarioRun
{
    ScenarioCatalog Catalog { get; }
}
