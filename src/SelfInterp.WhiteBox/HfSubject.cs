using System.Runtime.CompilerServices;
using SelfInterp.Preferences.Generation;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>A Hugging Face model as a lab subject: the run's own decision and report prompts in the model's chat
/// format. A name's position is the last token of its text, found by tokenizing the formatted prompt up to the
/// name's end (checked to be a prefix of the whole prompt's tokens, so the name ends where a token ends).</summary>
public sealed class HfSubject(HfModel hf, PreferencesPlan plan, Model? model = null) : LabSubject
{
    public HfModel Hf { get; } = hf;
    public override Model Model { get; } = model ?? hf.Model;
    public override int TokenA { get; } = hf.Tokenizer.Encode("A")[0];
    public override int TokenB { get; } = hf.Tokenizer.Encode("B")[0];
    public override IReadOnlyCollection<int> StopTokens => Hf.Chat.StopTokens;

    /// <summary>A formatted prompt's tokens and name positions, per trial (a trial is drawn once and kept).</summary>
    sealed record Encoded(int[] Tokens, int[] FirstNames, int[] LastNames);
    readonly ConditionalWeakTable<Trial, Encoded> _decisions = new(), _reports = new();

    public override int[] Decision(Trial trial) => DecisionOf(trial).Tokens;
    public override int[] Report(Trial trial) => ReportOf(trial).Tokens;
    public override string ReportText(int[] generated) => Hf.Tokenizer.Decode(generated.Where(t => !StopTokens.Contains(t)));
    public override int DecisionName(Trial trial, int attribute) => DecisionOf(trial).FirstNames[attribute];
    public override int DecisionAnswer(Trial trial) => DecisionOf(trial).Tokens.Length - 1;
    public override int ReportListedName(Trial trial, int attribute) => ReportOf(trial).LastNames[attribute];
    public override int ReportTrialName(Trial trial, int attribute) => ReportOf(trial).FirstNames[attribute];
    public override LabSubject With(Model other) => new HfSubject(Hf, plan, other);

    Encoded DecisionOf(Trial trial) => _decisions.GetValue(trial, t => Encode(plan.DecisionPrompt(t), t));
    Encoded ReportOf(Trial trial) => _reports.GetValue(trial, t => Encode(plan.ReportPrompt(t), t));

    Encoded Encode(Core.Backends.ChatPrompt prompt, Trial trial)
    {
        var messages = prompt.Messages.Select(m => new ChatMessage(m.Role, m.Content)).ToList();
        string text = Hf.Chat.Render(messages, addGenerationPrompt: true);
        var tokens = Hf.Chat.Encode(messages, addGenerationPrompt: true);
        string user = messages[^1].Content.Trim();
        int userStart = text.LastIndexOf(user, StringComparison.Ordinal);
        var names = plan.Scenario(trial.Scenario).Attributes.Select(a => a.Name).ToList();
        int[] first = new int[names.Count], last = new int[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            int a = user.IndexOf(names[i], StringComparison.Ordinal), b = user.LastIndexOf(names[i], StringComparison.Ordinal);
            if (a < 0) throw new InvalidOperationException($"scenario {trial.Scenario}: attribute '{names[i]}' is not in its prompt");
            first[i] = TokenEndingAt(text, tokens, userStart + a + names[i].Length);
            last[i] = TokenEndingAt(text, tokens, userStart + b + names[i].Length);
        }
        return new Encoded(tokens, first, last);
    }

    /// <summary>Index of the token that ends at character <paramref name="end"/> of the formatted text.</summary>
    int TokenEndingAt(string text, int[] tokens, int end)
    {
        var prefix = Hf.Chat.EncodePrefix(text[..end]);
        if (prefix.Length == 0 || prefix.Length > tokens.Length || !tokens.AsSpan(0, prefix.Length).SequenceEqual(prefix))
            throw new InvalidOperationException($"'{text[Math.Max(0, end - 20)..end]}' does not end on a token boundary of the formatted prompt");
        return prefix.Length - 1;
    }
}
