using System.CommandLine;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Behavior.Power;
using SelfInterp.Experiments.Preferences.Power;

namespace SelfInterp.Cli.Commands;

/// <summary>The options of `selfinterp power --experiment behavior`: a grid of study sizes and simulated agents.</summary>
public sealed class BehaviorPowerOptions
{
    private readonly Option<string> _seeds = new("--seeds") { Description = "behavior: comma list of fine-tunes per pole.", DefaultValueFactory = _ => "1,2" };
    private readonly Option<string> _samples = new("--samples") { Description = "behavior: comma list of samples per self-report paraphrase.", DefaultValueFactory = _ => "5,10" };
    private readonly Option<string> _awareness = new("--self-awareness") { Description = "behavior: comma list of the agent's self-awareness, 0 (none) to 1.", DefaultValueFactory = _ => "0,0.25,1" };
    private readonly Option<string> _ratingNoise = new("--rating-noise") { Description = "behavior: comma list of the s.d. of a 0-100 self-rating.", DefaultValueFactory = _ => "15,40" };

    public IEnumerable<Option> All => [_seeds, _samples, _awareness, _ratingNoise];

    /// <summary>Refuses the other experiment's options given by name, so a mistyped run does not simulate something else.</summary>
    public static void RefuseForeign(ParseResult p, IEnumerable<Option> foreign, string experiment)
    {
        foreach (var o in foreign)
            if (p.GetResult(o) is { Implicit: false })
                throw new UsageException($"{o.Name} does not apply to power --experiment {experiment}");
    }

    public IReadOnlyList<BehaviorPowerCell> Cells(ParseResult p)
    {
        var seeds = PowerGrid.ParseInts(_seeds.Name, p.GetValue(_seeds)!);
        var samples = PowerGrid.ParseInts(_samples.Name, p.GetValue(_samples)!);
        var awareness = PowerGrid.ParseDoubles(_awareness.Name, p.GetValue(_awareness)!);
        var noise = PowerGrid.ParseDoubles(_ratingNoise.Name, p.GetValue(_ratingNoise)!);
        if (seeds.Concat(samples).Any(v => v < 1)) throw new UsageException("--seeds, --samples: every value must be ≥ 1");
        if (awareness.Any(a => a is < 0 or > 1)) throw new UsageException("--self-awareness: every value must be between 0 and 1");
        if (noise.Any(n => !(n >= 0))) throw new UsageException("--rating-noise: every value must be ≥ 0");
        return (from s in seeds from n in samples from a in awareness from r in noise select new BehaviorPowerCell(s, n, a, r)).ToList();
    }
}
