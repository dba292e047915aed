using SelfInterp.Core.Experiments;
using SelfInterp.Preferences.Catalog;

namespace SelfInterp.Experiments;

public static class ExperimentRuns
{
    extension(IExperimentRun run)
    {
        /// <summary>The scenario catalog of a run over scenarios; the shipped one for an experiment of none (the
        /// organism's vocabulary is built from a catalog whatever it is asked).</summary>
        public ScenarioCatalog Catalog => run is IScenarioRun s ? s.Catalog : ScenarioCatalog.Embedded();
    }
}
