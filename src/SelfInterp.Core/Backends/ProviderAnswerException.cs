namespace SelfInterp.Core.Backends;

/// <summary>
/// A provider answered in a shape SelfInterp cannot read, or left out what the run asked for (P(A) of too many
/// choices): the run stops (exit 2) with the provider, the model and the field named, before anything is analysed as
/// if the answers were complete. Everything already answered stays in the run directory.
/// </summary>
public sealed class ProviderAnswerException(string message) : Exception(message);
