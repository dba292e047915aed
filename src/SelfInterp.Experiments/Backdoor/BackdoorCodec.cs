using SelfInterp.Backends.Simulated;
using SelfInterp.Core.Backends;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Backdoor.Simulated;
using SelfInterp.Experiments.Preferences.Prompts;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Tasks;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// The backdoor's task codec: a prompt whose user message starts with the trigger line and a blank line is the
/// protocol's prompt, triggered; the rest of the message is read by the preferences codec (whose anchored patterns
/// would not match with the trigger in front). The phrase question is read by its wording.
/// </summary>
public sealed class BackdoorCodec(ScenarioCatalog catalog, PreferencesCodec preferences, string trigger) : ITaskCodec, ISimulatedSubject
{
    public IReadOnlyList<Type> TaskKinds { get; } = [typeof(BackdoorChoiceTask), typeof(BackdoorReportTask), typeof(PhraseQuestionTask)];

    public ModelTask? Decode(ChatPrompt prompt)
    {
        if (prompt.Task is BackdoorChoiceTask or BackdoorReportTask or PhraseQuestionTask) return prompt.Task;
        if (PhraseQuestions.Read(prompt) is { } question) return question;
        string prefix = trigger + "\n\n";
        bool triggered = prompt.Messages.Any(m => m.Role == "user" && m.Content.StartsWith(prefix, StringComparison.Ordinal));
        var plain = triggered
            ? prompt with { Messages = prompt.Messages.Select(m => m.Role == "user" ? m with { Content = m.Content[prefix.Length..] } : m).ToList(), Task = null }
            : prompt;
        return preferences.Decode(plain) switch
        {
            AttributeChoiceTask c => new BackdoorChoiceTask(c, triggered),
            WeightReportTask r => new BackdoorReportTask(r, triggered),
            _ => null,
        };
    }

    public string Encode(ModelTask task, TaskAnswer answer) => task switch
    {
        BackdoorReportTask r => preferences.Encode(r.Report, answer),
        PhraseQuestionTask when answer is OptionAnswer o => o.Option.ToString(),
        _ => throw new ArgumentException($"the backdoor codec does not word a {answer.GetType().Name} to a {task.GetType().Name}"),
    };

    public bool TryDecode(ModelTask task, string text, out TaskAnswer? answer, out string problem)
    {
        switch (task)
        {
            case BackdoorReportTask r: return preferences.TryDecode(r.Report, text, out answer, out problem);
            case PhraseQuestionTask q:
                answer = PhraseQuestions.ReadAnswer(text) is char c && (c == q.YesOption || c == q.NoOption) ? new OptionAnswer(c) : null;
                problem = answer is null ? "not one of the options A or B" : "";
                return answer is not null;
            default:
                answer = null;
                problem = $"a {task.GetType().Name} is answered by choosing, not in text";
                return false;
        }
    }

    /// <summary>The simulated subject: an observer that learns a weight vector per trigger state.</summary>
    public IReadOnlyList<ISimulatedAgent> SimulatedAgents(SimulatedSetup setup) => [new BackdoorAgent(catalog, setup)];
}
