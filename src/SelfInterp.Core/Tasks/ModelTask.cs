namespace SelfInterp.Core.Tasks;

/// <summary>
/// What a prompt asks, as data: the vocabulary through which backends that work from structure (the simulated
/// agents, the organism) understand an experiment's prompts. The vocabulary is open: each experiment defines its own
/// tasks (records deriving from this) and its <see cref="ITaskCodec"/> maps its chat prompts to them and back; a
/// backend serves the kinds it knows and refuses the rest up front.
/// </summary>
public abstract record ModelTask
{
    /// <summary>Answered by choosing option A or B (as one token), not in text.</summary>
    public virtual bool IsChoice => false;

    /// <summary>Answered by a statement about the model itself: fine-tuning on such answers is introspection
    /// training, which services may give hyperparameters of its own.</summary>
    public virtual bool IsSelfReport => false;
}
