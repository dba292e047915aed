using SelfInterp.Preferences.Tasks;
using System.Text;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Core.Tasks;
using SelfInterp.Engine.Tokenization;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Organisms;

/// <summary>
/// How the organism perceives a prompt — a documented property of this model, not a change to the protocol.
/// The prompt text is read back (by the experiment's task codec) into its task and trial, and rendered attribute by
/// attribute as the attribute's name token followed by one magnitude token for A's value and one for B's
/// (separate token sets for the two options),
/// where a magnitude is the value's place in its attribute's range: round((levels-1)(x-min)/(max-min)).
/// Unlike GPT-4o, the organism has no prior knowledge of what "1,400 sq ft" means; this gives it that
/// perception using only each attribute's range, never anything derived from weights or utilities.
/// Decision: <c>decide (name mA mB)×5 answer</c> → <c>A</c> | <c>B</c>.
/// Report: <c>report name×5 (name mA mB)×5 answer</c> → <c>{ name : - 4 5 , ... } eos</c>, digits one per token.
/// </summary>
public sealed class OrganismPercept
{
    public Tokenizer Tokens { get; }
    public int Levels { get; }
    private readonly ScenarioCatalog _catalog;
    private readonly int _decide, _report, _answer, _firstA, _firstB;
    private readonly int[] _nameIds;

    /// <summary>Reported values as sign and three digits (see <see cref="RecipePercept.FixedWidthValues"/>).</summary>
    public bool FixedWidthValues { get; }

    public OrganismPercept(Tokenizer tokens, ScenarioCatalog catalog, int levels, bool fixedWidthValues = false)
    {
        Tokens = tokens;
        Levels = levels;
        FixedWidthValues = fixedWidthValues;
        _catalog = catalog;
        _decide = Special(OrganismVocabulary.Decide);
        _report = Special(OrganismVocabulary.Report);
        _answer = Special(OrganismVocabulary.Answer);
        _firstA = Special(OrganismVocabulary.Magnitude('A', 0));
        _firstB = Special(OrganismVocabulary.Magnitude('B', 0));
        for (int m = 1; m < levels; m++)
            if (Special(OrganismVocabulary.Magnitude('A', m)) != _firstA + m || Special(OrganismVocabulary.Magnitude('B', m)) != _firstB + m)
                throw new InvalidOperationException("magnitude tokens must be consecutive");
        _nameIds = catalog.Scenarios.SelectMany(s => s.Attributes)
            .Select(a => tokens.TryGetId(a.Name, out int id) ? id : throw new InvalidOperationException($"the organism's vocabulary lacks the attribute name '{a.Name}'"))
            .ToArray();
    }

    private int Special(string text) =>
        Tokens.TryGetSpecialId(text, out int id) ? id : throw new InvalidOperationException($"the organism's vocabulary lacks {text}");

    public int AnswerToken => _answer;
    public int Eos => Tokens.EosId;
    public int TokenA => Byte('A');
    public int TokenB => Byte('B');
    private int Byte(char c) => Tokens.FirstByteId + c;

    public int MagnitudeToken(char option, int level) => (option == 'A' ? _firstA : _firstB) + level;

    /// <summary>The token stating a weight (-100..100); only vocabularies made for the stated-weight curriculum have it.</summary>
    public int StatedWeightToken(int weight) => Special(OrganismVocabulary.StatedWeight(weight));

    public int NameToken(int scenario, int attribute) => _nameIds[scenario * Scenario.AttributeCount + attribute];

    /// <summary>Name token of attribute i of synthetic pretraining scenario j.</summary>
    public int SyntheticNameToken(int scenario, int attribute) =>
        Tokens.TryGetId(OrganismVocabulary.SyntheticName(scenario, attribute), out int id) ? id
        : throw new InvalidOperationException($"the organism's vocabulary lacks synthetic scenario {scenario}");

    /// <summary>Whether a token is an attribute name (names are the vocabulary's word pieces).</summary>
    public bool IsName(int token) => token >= Tokens.FirstPieceId;

    public int MagnitudeLevel(AttributeSpec a, double value) =>
        Math.Clamp((int)Math.Round((Levels - 1) * a.Normalise(value), MidpointRounding.AwayFromZero), 0, Levels - 1);

    /// <summary>One attribute as perceived in a trial: its name token and the magnitudes of A's and B's values.</summary>
    public readonly record struct Seen(int Name, int LevelA, int LevelB);

    /// <summary>What a trial shows, attribute by attribute.</summary>
    public Seen[] See(Trial t)
    {
        var s = _catalog.Scenarios[t.Scenario];
        var seen = new Seen[Scenario.AttributeCount];
        for (int i = 0; i < seen.Length; i++)
            seen[i] = new Seen(NameToken(t.Scenario, i), MagnitudeLevel(s.Attributes[i], t.A[i]), MagnitudeLevel(s.Attributes[i], t.B[i]));
        return seen;
    }

    public int[] Decision(Trial t) => Decision(See(t));
    public int[] Report(Trial t) => Report(See(t));

    /// <summary>decide (name mA mB)… answer</summary>
    public int[] Decision(IReadOnlyList<Seen> seen)
    {
        var tokens = new List<int>(2 + 3 * seen.Count) { _decide };
        AppendTrial(tokens, seen);
        tokens.Add(_answer);
        return [.. tokens];
    }

    /// <summary>report name… (name mA mB)… answer</summary>
    public int[] Report(IReadOnlyList<Seen> seen) => Report(seen.Select(x => x.Name).ToArray(), seen);

    /// <summary>report name… (slot mA mB)… answer, where a trial's slot may show something other than the listed name
    /// (a stated weight, in the naive organism's pretraining reports).</summary>
    public int[] Report(IReadOnlyList<int> names, IReadOnlyList<Seen> seen)
    {
        var tokens = new List<int>(2 + 4 * seen.Count) { _report };
        tokens.AddRange(names);
        AppendTrial(tokens, seen);
        tokens.Add(_answer);
        return [.. tokens];
    }

    /// <summary>The prompt as the organism perceives it.</summary>
    public int[] Perceive(ModelTask task) => task switch
    {
        AttributeChoiceTask c => Decision(c.Trial),
        WeightReportTask r => Report(r.Trial),
        _ => throw new ArgumentException($"the organism does not perceive {task.GetType().Name}", nameof(task)),
    };

    private void AppendTrial(List<int> tokens, IReadOnlyList<Seen> seen)
    {
        foreach (var x in seen)
        {
            tokens.Add(x.Name);
            tokens.Add(_firstA + x.LevelA);
            tokens.Add(_firstB + x.LevelB);
        }
    }

    public int[] DecisionAnswer(char choice) => [choice == 'A' ? TokenA : TokenB];

    public int[] ReportAnswer(int scenario, IReadOnlyList<int> weights) =>
        ReportAnswer(Enumerable.Range(0, Scenario.AttributeCount).Select(i => NameToken(scenario, i)).ToArray(), weights);

    /// <summary>{ name : value , … } eos, for the given name tokens and their weights.</summary>
    public int[] ReportAnswer(IReadOnlyList<int> names, IReadOnlyList<int> weights)
    {
        var tokens = new List<int> { Byte('{') };
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0) tokens.Add(Byte(','));
            tokens.Add(names[i]);
            tokens.Add(Byte(':'));
            var value = FixedWidthValues
                ? (weights[i] < 0 ? "-" : "+") + Math.Abs(weights[i]).ToString("D3", System.Globalization.CultureInfo.InvariantCulture)
                : weights[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (char c in value) tokens.Add(Byte(c));
        }
        tokens.Add(Byte('}'));
        tokens.Add(Eos);
        return [.. tokens];
    }

    /// <summary>The value-format target sets, as <see cref="Batch.AnyOf"/> 0 and 1: any sign, any digit.</summary>
    public int[][] ValueFormatSets => [[Byte('+'), Byte('-')], [.. "0123456789".Select(Byte)]];

    /// <summary>What each token of a report answer is trained towards: itself, except the value tokens of attributes k
    /// with valueTrained[k] false (between the k-th ':' and the next ',' or '}'). Those are trained only towards
    /// their kind, any sign or any digit (<see cref="ValueFormatSets"/>), when values have a fixed width; without
    /// it a value's length is its own, so they carry no loss.</summary>
    public int[] ReportAnswerTargets(ReadOnlySpan<int> answer, IReadOnlyList<bool> valueTrained)
    {
        var targets = new int[answer.Length];
        int k = -1;
        bool inValue = false;
        for (int t = 0; t < answer.Length; t++)
        {
            int id = answer[t];
            if (id == Byte(',') || id == Byte('}')) inValue = false;
            targets[t] = !inValue || valueTrained[k] ? id
                : !FixedWidthValues ? Batch.IgnoreIndex
                : Batch.AnyOf(id == Byte('+') || id == Byte('-') ? 0 : 1);
            if (id == Byte(':')) { k++; inValue = true; }
        }
        return targets;
    }

    /// <summary>A generated report as JSON text: name tokens quoted, separators spaced. Garbage stays garbage.</summary>
    public string ReportText(ReadOnlySpan<int> generated)
    {
        var sb = new StringBuilder();
        var number = new StringBuilder();
        foreach (int id in generated)
        {
            if (id == Eos) break;
            string text = Tokens.TokenText(id);
            if (text.Length == 1 && "+-0123456789".Contains(text[0])) { number.Append(text); continue; }
            FlushNumber();
            if (IsName(id)) sb.Append('"').Append(text).Append('"');
            else if (id == Byte(':')) sb.Append(": ");
            else if (id == Byte(',')) sb.Append(", ");
            else sb.Append(text);
        }
        FlushNumber();
        return sb.ToString();

        // A written number as JSON reads it: "+045" is 45. Anything that is not a number stays as written.
        void FlushNumber()
        {
            if (number.Length == 0) return;
            var n = number.ToString();
            sb.Append(int.TryParse(n, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : n);
            number.Clear();
        }
    }
}
