using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;

namespace SelfInterp.WhiteBox;

/// <summary>Fresh trials for white-box work, the same for every model of a run (so models compare paired):
/// drawn per scenario from a named stream derived from the run's master seed, never from the run's own streams.</summary>
public static class LabTrials
{
    public static List<Trial> Draw(PreferencesPlan plan, int scenario, int count, string purpose)
    {
        var rng = SeededStream.Derive(plan.Seeds.Master, $"whitebox:{purpose}:{scenario}");
        return Enumerable.Range(0, count).Select(_ => plan.DrawTrial(scenario, rng)).ToList();
    }
}
