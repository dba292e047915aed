using SelfInterp.Organisms;
using SelfInterp.Preferences.Generation;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.WhiteBox;

/// <summary>A model the lab looks inside: the engine model, its decision and report prompts as tokens, where the
/// attributes' names and the answer sit in them, its A and B tokens and how its replies end. An organism's prompts
/// have fixed positions (<see cref="PromptPositions"/>); a Hugging Face model's depend on how each trial's text
/// tokenizes (<see cref="HfSubject"/>).</summary>
public abstract class LabSubject
{
    public abstract Model Model { get; }
    public abstract int TokenA { get; }
    public abstract int TokenB { get; }
    public abstract IReadOnlyCollection<int> StopTokens { get; }
    public abstract int[] Decision(Trial trial);
    public abstract int[] Report(Trial trial);
    /// <summary>The text of a generated report (its tokens up to the stop token).</summary>
    public abstract string ReportText(int[] generated);
    /// <summary>Position of the attribute's name in the decision prompt (its last token; the first time it occurs).</summary>
    public abstract int DecisionName(Trial trial, int attribute);
    /// <summary>Position the decision's answer is read at (the prompt's last).</summary>
    public abstract int DecisionAnswer(Trial trial);
    /// <summary>Position of the attribute's name in the report prompt's list of names.</summary>
    public abstract int ReportListedName(Trial trial, int attribute);
    /// <summary>Position of the attribute's name where the report prompt shows a trial.</summary>
    public abstract int ReportTrialName(Trial trial, int attribute);
    /// <summary>The same subject with other weights of the same shape (the wrapper study's partly reverted models).</summary>
    public abstract LabSubject With(Model model);
}

/// <summary>A model organism as a lab subject.</summary>
public sealed class OrganismSubject(Organism organism) : LabSubject
{
    public Organism Organism { get; } = organism;
    public override Model Model => Organism.Model;
    public override int TokenA => Organism.Percept.TokenA;
    public override int TokenB => Organism.Percept.TokenB;
    public override IReadOnlyCollection<int> StopTokens => [Organism.Percept.Eos];
    public override int[] Decision(Trial trial) => Organism.Percept.Decision(trial);
    public override int[] Report(Trial trial) => Organism.Percept.Report(trial);
    public override string ReportText(int[] generated) => Organism.Percept.ReportText(generated);
    public override int DecisionName(Trial trial, int attribute) => PromptPositions.DecisionName(attribute);
    public override int DecisionAnswer(Trial trial) => PromptPositions.DecisionAnswer;
    public override int ReportListedName(Trial trial, int attribute) => PromptPositions.ReportListedName(attribute);
    public override int ReportTrialName(Trial trial, int attribute) => PromptPositions.ReportTrialName(attribute);
    public override LabSubject With(Model model) => new OrganismSubject(new Organism(model, Organism.Recipe, Organism.Percept));
}
