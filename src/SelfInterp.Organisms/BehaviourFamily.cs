using System.Text.Json.Serialization;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.Random;

namespace SelfInterp.Organisms;

/// <summary>
/// A behaviour family of the self-description recipes: its own entities (one name token each, <c>{name}_{letters}</c>),
/// each with one latent in -100..100 drawn from the recipe's seed, and a behaviour that depends on the latent. The
/// behaviour is the only thing pretraining trains the entity names on; a supervised family is also reported in the
/// paper's report format (<see cref="FamilyCorpus"/>). A family is data: a kind below and its parameters.
/// <list type="bullet">
/// <item><c>rating</c>: <c>⟨family⟩ e</c> → a digit 0–9, round(4.5 + 4.5·(gain·v/100 + noise·z)).</item>
/// <item><c>threshold</c>: <c>⟨family⟩ e m</c> → A (accept) when the offer 2m/(L−1)−1 exceeds gain·v/100 + noise·z, else B.</item>
/// <item><c>lottery</c>: <c>⟨family⟩ e mSure mPrize</c> → B (the gamble: the prize with probability p) when
/// p^(2^(−gain·v/100))·prize + noise·z exceeds p·sure, else A: the latent is a risk attitude.</item>
/// <item><c>estimation</c>: <c>⟨family⟩ e m</c> → the digit floor(10·m/L + 3·gain·v/100 + noise·z), clamped to 0–9:
/// an estimate of the shown quantity with the entity's bias.</item>
/// <item><c>weighted_choice</c>: entities in groups of <see cref="Attributes"/>, each an attribute with its weight;
/// <c>⟨family⟩ (e mA mB)×k</c> → A when Σ w·(a − b) + noise·z &gt; 0, else B (the paper's task on other names).</item>
/// </list>
/// </summary>
public sealed record BehaviourFamily
{
    public static readonly string[] Kinds = ["rating", "threshold", "lottery", "estimation", "weighted_choice"];

    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("kind")] public string Kind { get; init; } = "rating";
    [JsonPropertyName("entities")] public int Entities { get; init; } = 40;
    /// <summary>How strongly, and with what sign, the latent drives the behaviour.</summary>
    [JsonPropertyName("gain")] public double Gain { get; init; } = 1;
    /// <summary>Gaussian noise of the behaviour, in units of the latent/100.</summary>
    [JsonPropertyName("noise")] public double Noise { get; init; }
    /// <summary><c>weighted_choice</c>: attributes per choice.</summary>
    [JsonPropertyName("attributes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Attributes { get; init; }
    /// <summary><c>lottery</c>: the gamble's probability of the prize.</summary>
    [JsonPropertyName("probability"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public double Probability { get; init; }

    /// <summary>The name token of entity j.</summary>
    public string EntityName(int j) => $"{Name}_{OrganismVocabulary.Letters(j)}";

    /// <summary>The token that opens this family's behaviour prompts.</summary>
    public string Marker => $"<|{Name}|>";

    /// <summary>The tokens its behaviour answers with: a digit for ratings and estimates, A or B for the others.</summary>
    public int[] AnswerTokens(OrganismPercept percept) => Kind is "rating" or "estimation"
        ? [.. Enumerable.Range(0, 10).Select(d => percept.Tokens.FirstByteId + '0' + d)]
        : [percept.TokenA, percept.TokenB];

    /// <summary>The problem with this family, or null.</summary>
    public string? Problem(int reportLength)
    {
        if (Name.Length == 0 || !Name.All(c => c is (>= 'a' and <= 'z') or '_') || !char.IsLetter(Name[0]))
            return $"name '{Name}': lower-case letters and underscores, starting with a letter";
        if (!Kinds.Contains(Kind)) return $"{Name}: unknown kind '{Kind}' (known: {string.Join(", ", Kinds)})";
        if (Entities < reportLength) return $"{Name}: {Entities} entities; a report lists {reportLength} different ones";
        if (!double.IsFinite(Gain) || !(Noise >= 0 && double.IsFinite(Noise))) return $"{Name}: gain must be a number and noise 0 or more";
        if (Kind == "weighted_choice" && (Attributes < 1 || Attributes > 8 || Entities % Attributes != 0))
            return $"{Name}: a weighted_choice family needs attributes 1–8 dividing its entities ({Entities})";
        if (Kind == "lottery" && !(Probability > 0 && Probability < 1)) return $"{Name}: a lottery family needs a probability between 0 and 1";
        return null;
    }

    /// <summary>The latents of its entities, from the recipe's seed and the family's name only (adding a family leaves the
    /// others' alone). A weighted-choice family's are weights, drawn as the protocol draws them, group by group.</summary>
    public int[] Latents(ulong seed)
    {
        var rng = SeededStream.Derive(seed, "family_latents:" + Name);
        return Kind == "weighted_choice"
            ? Enumerable.Range(0, Entities / Attributes).SelectMany(_ => Weights.Draw(rng, Attributes)).ToArray()
            : Enumerable.Range(0, Entities).Select(_ => rng.NextInt(201) - 100).ToArray();
    }

    /// <summary>One behaviour example: the prompt and its one answer token.</summary>
    public (int[] Prompt, int[] Answer) Example(OrganismPercept percept, FamilyTokens tokens, int[] latents, SeededStream rng)
    {
        int levels = percept.Levels, digit0 = percept.Tokens.FirstByteId + '0';
        double Latent(int e) => Gain * latents[e] / 100.0;
        double Noisy() => Noise > 0 ? Noise * rng.NextGaussian() : 0;
        int Level() => rng.NextInt(levels);
        int entity = Kind == "weighted_choice" ? rng.NextInt(Entities / Attributes) * Attributes : rng.NextInt(Entities);
        var prompt = new List<int> { tokens.Marker };
        int answer;
        switch (Kind)
        {
            case "rating":
                prompt.Add(tokens.Entities[entity]);
                answer = digit0 + Math.Clamp((int)Math.Round(4.5 + 4.5 * (Latent(entity) + Noisy()), MidpointRounding.AwayFromZero), 0, 9);
                break;
            case "threshold":
            {
                int m = Level();
                prompt.AddRange([tokens.Entities[entity], percept.MagnitudeToken('A', m)]);
                answer = 2.0 * m / (levels - 1) - 1 > Latent(entity) + Noisy() ? percept.TokenA : percept.TokenB;
                break;
            }
            case "lottery":
            {
                int sure = Level(), prize = Level();
                prompt.AddRange([tokens.Entities[entity], percept.MagnitudeToken('A', sure), percept.MagnitudeToken('B', prize)]);
                double q = Math.Pow(Probability, Math.Pow(2, -Latent(entity)));
                answer = q * prize / (levels - 1) + Noisy() > Probability * sure / (levels - 1) ? percept.TokenB : percept.TokenA;
                break;
            }
            case "estimation":
            {
                int m = Level();
                prompt.AddRange([tokens.Entities[entity], percept.MagnitudeToken('A', m)]);
                answer = digit0 + Math.Clamp((int)Math.Floor(10.0 * m / levels + 3 * (Latent(entity) + Noisy())), 0, 9);
                break;
            }
            default: // weighted_choice
            {
                double u = Noisy() * 100 * Attributes;
                for (int i = 0; i < Attributes; i++)
                {
                    int a = Level(), b = Level();
                    prompt.AddRange([tokens.Entities[entity + i], percept.MagnitudeToken('A', a), percept.MagnitudeToken('B', b)]);
                    u += Gain * latents[entity + i] * (a - b) / (double)(levels - 1);
                }
                answer = u > 0 ? percept.TokenA : percept.TokenB;
                break;
            }
        }
        prompt.Add(percept.AnswerToken);
        return ([.. prompt], [answer]);
    }
}

/// <summary>A family's tokens in an organism's vocabulary.</summary>
public sealed record FamilyTokens(int Marker, int[] Entities)
{
    public static FamilyTokens Of(BehaviourFamily family, OrganismPercept percept) =>
        new(percept.Tokens.TryGetSpecialId(family.Marker, out int marker) ? marker
                : throw new InvalidOperationException($"the organism's vocabulary lacks {family.Marker}"),
            Enumerable.Range(0, family.Entities).Select(j => percept.Tokens.TryGetId(family.EntityName(j), out int id) ? id
                : throw new InvalidOperationException($"the organism's vocabulary lacks {family.EntityName(j)}")).ToArray());
}
