using SelfInterp.Backends.Local;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Analysis.Layout;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.HookPoints;

namespace SelfInterp.WhiteBox;

/// <summary>Runs trials through an organism, optionally with hooks: the decision's logit P(A) − logit P(B)
/// and the parsed reports. Sequence numbers seen by hooks are the trial's index in the list.</summary>
public sealed class Observer(Organism organism, ScenarioCatalog catalog, int reportMaxTokens)
{
    public Organism Organism { get; } = organism;

    /// <summary>log P(A) − log P(B) after each trial's decision prompt.</summary>
    public double[] DecisionLogits(IReadOnlyList<Trial> trials, Hooks? hooks = null)
    {
        var p = Organism.Percept;
        var inference = new Inference(Organism.Model) { Hooks = hooks };
        // Empty shared prefix: positions and sequence numbers are those of each prompt alone.
        var scores = inference.ScoreWithSharedPrefix([], trials.Select(p.Decision).ToList(), [p.TokenA, p.TokenB]);
        return scores.Select(s => (double)s[0] - s[1]).ToArray();
    }

    /// <summary>The reported weights of each trial's report prompt (greedy), null where the reply does not parse.</summary>
    public double[]?[] Reports(IReadOnlyList<Trial> trials, Hooks? hooks = null)
    {
        var p = Organism.Percept;
        var inference = new Inference(Organism.Model) { Hooks = hooks };
        var replies = inference.GenerateBatch(trials.Select(p.Report).ToList(), reportMaxTokens, [p.Eos]);
        return replies.Select((r, i) => ReportParser.TryParse(p.ReportText(r), catalog.Scenarios[trials[i].Scenario], out var w, out _) ? w : null).ToArray();
    }

    /// <summary>Hooks that record the residual stream at the given points and (prompt-relative) positions into
    /// cache[point, trial index, position], to pass to <see cref="DecisionLogits"/> or <see cref="ReportPass"/>.</summary>
    public static Hooks Recorder(IReadOnlyList<HookPoint> points, IReadOnlySet<int> positions, ActivationCache cache)
    {
        var hooks = new Hooks();
        foreach (var point in points) hooks.Record(point, cache, (_, pos) => positions.Contains(pos));
        return hooks;
    }

    /// <summary>One forward pass over each trial's report prompt (no decoding), for its hooks.</summary>
    public void ReportPass(IReadOnlyList<Trial> trials, Hooks hooks)
    {
        var p = Organism.Percept;
        new Inference(Organism.Model) { Hooks = hooks }.ScoreWithSharedPrefix([], trials.Select(p.Report).ToList(), [p.TokenA]);
    }
}
