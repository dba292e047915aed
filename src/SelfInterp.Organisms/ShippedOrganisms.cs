using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Organisms;

/// <summary>
/// The model organisms shipped beside the executable (models/{name}/, each with its recipe.json), and how a base
/// model named on the command line (a shipped name, <see cref="DefaultAlias"/>, or a directory holding an organism)
/// becomes the id a run records and the directory the local backend loads.
/// </summary>
public static class ShippedOrganisms
{
    /// <summary>The organism a local run uses when none is named; docs/organism.md says why it is this one.</summary>
    public const string Default = "naive";

    /// <summary>Names the default organism, whichever it is.</summary>
    public const string DefaultAlias = "organism";

    /// <summary>The run option that names an organism's directory (set by <see cref="Resolve"/> for a path).</summary>
    public const string DirectoryOption = "base_model_dir";

    public static string Root => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The shipped organisms' names, in ordinal order.</summary>
    public static IReadOnlyList<string> Names =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Where(d => File.Exists(Path.Combine(d, OrganismRecipe.FileName)))
                .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The directory of a shipped organism (the alias meaning the default).</summary>
    public static string DirectoryOf(string name) => Path.Combine(Root, name == DefaultAlias ? Default : name);

    /// <summary>The default organism's directory.</summary>
    public static string DefaultDirectory => DirectoryOf(Default);

    /// <summary>A Hugging Face model (hf:DIR[+adapter:DIR]) with its directories made absolute, so the id means the
    /// same model wherever the run is resumed from.</summary>
    static string HuggingFaceSpec(string baseModel, string option)
    {
        try { return Engine.HuggingFace.HfModelSpec.Parse(baseModel).ToString(); }
        catch (Exception e) when (e is IOException or ArgumentException) { throw new UsageException($"{option} {e.Message}"); }
    }

    /// <summary>
    /// What a local run's base model is, given <c>--base-model</c> (null: the default) and its backend options: a
    /// shipped name stays a name (the directory is found beside the executable when the run opens); the alias becomes
    /// the default's name; a directory becomes its folder name as the id, with its full path in
    /// <see cref="DirectoryOption"/>. A directory already given in the options names the organism when
    /// <c>--base-model</c> is absent. Anything else is a usage error listing the known names.
    /// </summary>
    /// <param name="option">The option that named it, for messages: --base-model, or evaluate-organism's --organism.</param>
    public static string Resolve(string? baseModel, IDictionary<string, string> options, string option = "--base-model")
    {
        if (baseModel is null)
            return options.TryGetValue(DirectoryOption, out var given) ? FromDirectory(given, options) : Default;
        if (baseModel == DefaultAlias) return Default;
        if (Engine.HuggingFace.HfModelSpec.Is(baseModel)) return HuggingFaceSpec(baseModel, option);
        bool looksLikePath = baseModel.Contains('/') || baseModel.Contains(Path.DirectorySeparatorChar) || baseModel.StartsWith('.');
        if (!looksLikePath && Names.Contains(baseModel, StringComparer.Ordinal))
        {
            if (options.ContainsKey(DirectoryOption))
                throw new UsageException($"{option} {baseModel} names a shipped organism; --option {DirectoryOption}=… names another directory: give one of them");
            return baseModel;
        }
        if (Directory.Exists(baseModel)) return FromDirectory(baseModel, options);
        throw new UsageException($"{option} '{baseModel}': not a shipped organism nor a directory holding one " +
                                 $"(known: {string.Join(", ", Names.Append(DefaultAlias))}, or a path to a `selfinterp pretrain --out` directory)");
    }

    private static string FromDirectory(string directory, IDictionary<string, string> options)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (!File.Exists(Path.Combine(full, OrganismRecipe.FileName)))
            throw new UsageException($"{full}: no {OrganismRecipe.FileName}: not an organism (make one with `selfinterp pretrain --out {directory}`)");
        options[DirectoryOption] = full;
        return FileNames.Safe(Path.GetFileName(full));
    }

    /// <summary>Where a run's base model lives: its recorded directory, else the shipped organism of that name.</summary>
    public static string DirectoryFor(RunConfig config) =>
        config.BackendOptions.TryGetValue(DirectoryOption, out var dir) ? dir : DirectoryOf(config.BaseModel);
}
