namespace SelfInterp.Core.Tasks;

/// <summary>An answer to a task as data; the experiment's <see cref="ITaskCodec"/> words it and reads it back.</summary>
public abstract record TaskAnswer;

/// <summary>A weight (−100..100) per attribute of a scenario.</summary>
public sealed record WeightsAnswer(IReadOnlyList<double> Weights) : TaskAnswer;

/// <summary>A number from 0 to 100.</summary>
public sealed record RatingAnswer(double Value) : TaskAnswer;

/// <summary>One of the options, by letter.</summary>
public sealed record OptionAnswer(char Option) : TaskAnswer;

/// <summary>A word for the trait's high pole (risky) or its low pole (cautious).</summary>
public sealed record PoleAnswer(bool High) : TaskAnswer;
