using System.Text.RegularExpressions;

namespace SelfInterp.Engine.HookPoints;

/// <summary>Where on the residual stream a hook sits: after the embedding, or before a block (resid_pre),
/// between its attention and MLP (resid_mid), or after it (resid_post).</summary>
public enum ResidualSite { Embed, Pre, Mid, Post }

/// <summary>A named hook point, in TransformerLens's vocabulary: <c>hook_embed</c>,
/// <c>blocks.{i}.hook_resid_pre</c>, <c>blocks.{i}.hook_resid_mid</c>, <c>blocks.{i}.hook_resid_post</c>.
/// blocks.{i}.hook_resid_post and blocks.{i+1}.hook_resid_pre are the same activations, and hook_embed is
/// blocks.0.hook_resid_pre's: hooks on the later name run after hooks on the earlier one.</summary>
public readonly partial record struct HookPoint(int Layer, ResidualSite Site)
{
    public static readonly HookPoint Embed = new(-1, ResidualSite.Embed);
    public static HookPoint ResidPre(int layer) => new(layer, ResidualSite.Pre);
    public static HookPoint ResidMid(int layer) => new(layer, ResidualSite.Mid);
    public static HookPoint ResidPost(int layer) => new(layer, ResidualSite.Post);

    public string Name => Site == ResidualSite.Embed ? "hook_embed" : $"blocks.{Layer}.hook_resid_{Site.ToString().ToLowerInvariant()}";
    public override string ToString() => Name;

    /// <summary>Every hook point of a model with the given number of layers, in the order a forward pass meets them.</summary>
    public static IEnumerable<HookPoint> All(int layers)
    {
        yield return Embed;
        for (int l = 0; l < layers; l++)
        {
            yield return ResidPre(l);
            yield return ResidMid(l);
            yield return ResidPost(l);
        }
    }

    public static HookPoint Parse(string name)
    {
        if (name == "hook_embed") return Embed;
        var m = NamePattern().Match(name);
        if (!m.Success) throw new ArgumentException($"unknown hook point '{name}' (known: hook_embed, blocks.{{i}}.hook_resid_pre|mid|post)");
        var site = m.Groups[2].Value switch { "pre" => ResidualSite.Pre, "mid" => ResidualSite.Mid, _ => ResidualSite.Post };
        return new HookPoint(int.Parse(m.Groups[1].Value), site);
    }

    [GeneratedRegex(@"^blocks\.(\d+)\.hook_resid_(pre|mid|post)$")]
    private static partial Regex NamePattern();
}
