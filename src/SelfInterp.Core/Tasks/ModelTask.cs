using SelfInterp.Core.Generation;

namespace SelfInterp.Core.Tasks;

/// <summary>
/// What a prompt asks, as data: the small vocabulary through which backends that work from structure (the
/// simulated agent, the organism) understand an experiment's prompts. An experiment's <see cref="ITaskCodec"/>
/// maps its chat prompts to these and back; a backend serves the kinds it knows and refuses the rest up front.
/// </summary>
public abstract record ModelTask;

/// <summary>Choose option A or B of a trial between two multi-attribute options of a catalog scenario.</summary>
public sealed record AttributeChoiceTask(int Scenario, Trial Trial) : ModelTask;

/// <summary>State the weight (−100..100) of each attribute of a catalog scenario, shown a trial of it.</summary>
public sealed record WeightReportTask(int Scenario, Trial Trial) : ModelTask;
