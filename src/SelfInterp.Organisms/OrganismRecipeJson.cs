using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SelfInterp.Organisms;

/// <summary>
/// recipe.json has one form: a flat object of the sections' keys. It is the form every recipe.json already written has
/// (the shipped organisms', every checkpoint's), so they load unchanged, and a recipe that uses only their keys is
/// written back to the same bytes in the same order (the shipped organisms' reproduction covers recipe.json too).
/// Keys added since are written after those, and only when set. Which section a key belongs to is read off the
/// section records; an unknown or repeated key is an error naming it.
/// </summary>
public sealed class OrganismRecipeJson : JsonConverter<OrganismRecipe>
{
    /// <summary>The keys of the recipes written before the sections, in the order they were written.</summary>
    private static readonly string[] FirstKeys =
    [
        "seed", "levels", "dim", "layers", "heads", "mlp_hidden", "init_scale", "magnitude_line", "fixed_width_values",
        "detach_report_names", "report_mix_fraction", "learned_positions", "stated_weights_all_until", "stated_weights_fraction",
        "stated_weights_until", "reports_from", "accuracy_guard", "synthetic_scenarios", "native_name_share", "report_name_noise",
        "unfamiliar_name_noise", "report_values", "stated_report_share", "decision_scenarios", "report_scenarios", "steps",
        "batch_decisions", "batch_reports", "lr", "warmup", "min_lr_fraction", "weight_decay", "instill_method", "instill_epochs",
        "instill_lr", "instill_batch", "itrain_method", "itrain_epochs", "itrain_lr", "itrain_replay", "itrain_min_steps", "itrain_batch",
    ];

    private const string SeedKey = "seed";

    /// <summary>The recipe's sections (its properties of a record type) and the keys each holds.</summary>
    private static readonly (PropertyInfo Section, string[] Keys)[] Sections = typeof(OrganismRecipe).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType.IsClass && p.PropertyType != typeof(string) && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => (p, p.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(x => x.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>().ToArray()))
        .ToArray();

    /// <summary>Every key a recipe.json may have.</summary>
    public static IReadOnlyList<string> Keys { get; } = Sections.SelectMany(s => s.Keys).Prepend(SeedKey).ToArray();

    public override OrganismRecipe Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("a recipe is a JSON object of its fields");
        var parts = Sections.Select(_ => new JsonObject()).ToArray();
        ulong seed = new OrganismRecipe().Seed;
        var seen = new HashSet<string>();
        foreach (var field in document.RootElement.EnumerateObject())
        {
            if (!seen.Add(field.Name)) throw new JsonException($"field '{field.Name}' is given twice", field.Name, null, null);
            if (field.Name == SeedKey) { seed = Field<ulong>(field.Value, field.Name, options); continue; }
            int section = Array.FindIndex(Sections, s => s.Keys.Contains(field.Name));
            if (section < 0) throw new JsonException($"unknown field '{field.Name}' (known: {string.Join(", ", Keys)})", field.Name, null, null);
            parts[section][field.Name] = JsonNode.Parse(field.Value.GetRawText());
        }
        var recipe = new OrganismRecipe { Seed = seed };
        for (int i = 0; i < Sections.Length; i++)
        {
            if (parts[i].Count == 0) continue;
            try { Sections[i].Section.SetValue(recipe, parts[i].Deserialize(Sections[i].Section.PropertyType, options)); }
            catch (JsonException e) { throw new JsonException(e.Message, e.Path?.TrimStart('$', '.') is { Length: > 0 } p ? p : null, null, null, e); }
        }
        return recipe;
    }

    private static T Field<T>(JsonElement value, string name, JsonSerializerOptions options)
    {
        try { return value.Deserialize<T>(options)!; }
        catch (JsonException e) { throw new JsonException(e.Message, name, null, null, e); }
    }

    public override void Write(Utf8JsonWriter writer, OrganismRecipe value, JsonSerializerOptions options)
    {
        var fields = new Dictionary<string, JsonNode?> { [SeedKey] = JsonValue.Create(value.Seed) };
        foreach (var (section, _) in Sections)
            foreach (var (key, node) in JsonSerializer.SerializeToNode(section.GetValue(value), section.PropertyType, options)!.AsObject())
                fields[key] = node?.DeepClone();
        writer.WriteStartObject();
        foreach (string key in FirstKeys.Where(fields.ContainsKey).Concat(fields.Keys.Except(FirstKeys)))
        {
            writer.WritePropertyName(key);
            if (fields[key] is { } node) node.WriteTo(writer, options);
            else writer.WriteNullValue();
        }
        writer.WriteEndObject();
    }
}
