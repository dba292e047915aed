namespace SelfInterp.Preferences.Generation;

/// <summary>Two options, each with a value for every attribute of a scenario.</summary>
public sealed record Trial(int Scenario, double[] A, double[] B);
