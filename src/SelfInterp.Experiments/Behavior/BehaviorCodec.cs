using System.Globalization;
using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Experiments.Behavior.Simulated;
using SelfInterp.Core.Tasks;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// The behaviour experiment's task codec. Every prompt of a run is planned up front, so a prompt that arrives as text
/// (over HTTP, in an uploaded training file) is read back by looking its messages up among the plan's prompts (where two
/// imported files hold the same question, the first file's label stands). A prompt of another plan (a server planned
/// with other seeds or sizes) is read from its text: self-report questions by their fixed wordings in either option
/// order, generated questions by <see cref="TraitQuestionReader"/>. Answers: a trait choice or a multiple-choice
/// self-report is a letter, a self-rating a whole number 0–100, a description one word of the trait's families.
/// </summary>
public sealed class BehaviorCodec : ITaskCodec, ISimulatedSubject
{
    /// <summary>The simulated backend's subject of this experiment: an agent of behavioural traits.</summary>
    public IReadOnlyList<ISimulatedAgent> SimulatedAgents(SimulatedSetup setup) => [new TraitAgent(setup.Options)];

    private readonly Dictionary<string, ModelTask> _tasks = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, Trait> _traits;

    public BehaviorCodec(BehaviorPlan plan)
    {
        _traits = Traits.All.ToDictionary(t => t.Name);
        var prompts = plan.Models.SelectMany(m => m.Training.Concat(m.Validation)).Select(e => e.Prompt)
            .Concat(plan.Models.Prepend(null).SelectMany(m => plan.BehaviourItems(m)).Select(i => i.Prompt))
            .Concat(plan.Models.Prepend(null).SelectMany(m => plan.SelfReportItems(m)).Select(q => BehaviorPlan.Prompt(q.Text, q.Task)));
        foreach (var p in prompts) _tasks.TryAdd(Key(p), p.Task!);
        // Every wording of every trait's self-reports, in both option orders: they do not depend on the plan's seeds.
        foreach (var trait in Traits.All)
            foreach (bool first in new[] { true, false })
            {
                var order = Enumerable.Repeat(first, SelfReportQuestions.Paraphrases).ToList();
                foreach (var q in SelfReportQuestions.Of(trait, order).Concat(SelfReportQuestions.Trigger(Traits.Risk, order)))
                    _tasks.TryAdd(Key(BehaviorPlan.Prompt(q.Text, q.Task)), q.Task);
            }
    }

    public IReadOnlyList<Type> TaskKinds { get; } =
        [typeof(TraitChoiceTask), typeof(SelfRatingTask), typeof(SelfDescriptionTask), typeof(SelfReportChoiceTask), typeof(TriggerDependenceTask)];

    public ModelTask? Decode(ChatPrompt prompt)
    {
        if ((prompt.Task ?? _tasks.GetValueOrDefault(Key(prompt))) is { } known) return known;
        return prompt.Messages is [{ Role: "user", Content: var text }] && TraitQuestionReader.TryRead(text, out var read) ? read : null;
    }

    private static string Key(ChatPrompt prompt) => string.Join('\u0001', prompt.Messages.Select(m => m.Role + ":" + m.Content));

    public string Encode(ModelTask task, TaskAnswer answer) => (task, answer) switch
    {
        (TraitChoiceTask or SelfReportChoiceTask or TriggerDependenceTask, OptionAnswer o) => o.Option.ToString(),
        (SelfRatingTask, RatingAnswer r) => ((int)Math.Round(r.Value)).ToString(CultureInfo.InvariantCulture), // never "-0"
        (SelfDescriptionTask d, PoleAnswer p) => Capitalise((p.High ? _traits[d.Trait].HighWords : _traits[d.Trait].LowWords)[0]),
        _ => throw new ArgumentException($"behaviour codec: no {answer.GetType().Name} to a {task.GetType().Name}"),
    };

    public bool TryDecode(ModelTask task, string text, out TaskAnswer? answer, out string problem)
    {
        answer = null;
        problem = "";
        // Markdown emphasis or quotes around the answer ("**Risky**", "'72'") are not part of it.
        string t = new(text.SkipWhile(c => char.IsWhiteSpace(c) || c is '*' or '_' or '`' or '"' or '\'').ToArray());
        switch (task)
        {
            case TraitChoiceTask or SelfReportChoiceTask or TriggerDependenceTask:
                // "A", "A)", "A." or "A) I tend to…": the letter first, then no other word character right after it.
                if (t.Length > 0 && t[0] is 'A' or 'B' && (t.Length == 1 || !char.IsLetterOrDigit(t[1]))) { answer = new OptionAnswer(t[0]); return true; }
                problem = "not A or B";
                return false;
            case SelfRatingTask:
                string number = new(t.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
                if (number.Length > 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 100)
                { answer = new RatingAnswer(v); return true; }
                problem = "not a number from 0 to 100";
                return false;
            case SelfDescriptionTask d:
                string word = new string(t.TakeWhile(c => char.IsLetter(c) || c == '-').ToArray()).ToLowerInvariant();
                var trait = _traits[d.Trait];
                if (trait.HighWords.Contains(word)) { answer = new PoleAnswer(true); return true; }
                if (trait.LowWords.Contains(word)) { answer = new PoleAnswer(false); return true; }
                problem = word.Length == 0 ? "no word" : $"'{word}' is in neither word family of {d.Trait}";
                return false;
            default:
                problem = $"a {task.GetType().Name} is not a task of this experiment";
                return false;
        }
    }

    /// <summary>A self-report's answer as a score from 0 to 100 (a rating as it is; a word, letter or yes as 100 for the
    /// high pole or yes, 0 for the other), or null when unreadable.</summary>
    public double? Score(ModelTask task, string text)
    {
        if (!TryDecode(task, text, out var answer, out _)) return null;
        return (task, answer) switch
        {
            (SelfRatingTask, RatingAnswer r) => r.Value,
            (SelfDescriptionTask, PoleAnswer p) => p.High ? 100 : 0,
            (SelfReportChoiceTask c, OptionAnswer o) => o.Option == c.HighOption ? 100 : 0,
            (TriggerDependenceTask d, OptionAnswer o) => o.Option == d.YesOption ? 100 : 0,
            _ => null,
        };
    }

    private static string Capitalise(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
