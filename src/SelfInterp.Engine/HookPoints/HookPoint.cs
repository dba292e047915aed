using System.Text.RegularExpressions;

namespace SelfInterp.Engine.HookPoints;

/// <summary>Where a hook sits: on the residual stream after the embedding, or before a block (resid_pre), between
/// its attention and MLP (resid_mid), or after it (resid_post); or on a block's branch before it joins the stream:
/// the attention's output projection (attn_out) and the MLP's down projection (mlp_out).</summary>
public enum ResidualSite { Embed, Pre, Mid, Post, AttnOut, MlpOut }

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
    public static HookPoint AttnOut(int layer) => new(layer, ResidualSite.AttnOut);
    public static HookPoint MlpOut(int layer) => new(layer, ResidualSite.MlpOut);

    public string Name => Site switch
    {
        ResidualSite.Embed => "hook_embed",
        ResidualSite.AttnOut => $"blocks.{Layer}.hook_attn_out",
        ResidualSite.MlpOut => $"blocks.{Layer}.hook_mlp_out",
        _ => $"blocks.{Layer}.hook_resid_{Site.ToString().ToLowerInvariant()}",
    };
    public override string ToString() => Name;

    /// <summary>Every residual-stream hook point of a model with the given number of layers, in the order a forward
    /// pass meets them (the branch points are in <see cref="WithBranches"/>).</summary>
    public static IEnumerable<HookPoint> All(int layers) =>
        WithBranches(layers).Where(p => p.Site is not (ResidualSite.AttnOut or ResidualSite.MlpOut));

    /// <summary>Every hook point, the branches' included: embed, then per block resid_pre, attn_out, resid_mid,
    /// mlp_out, resid_post.</summary>
    public static IEnumerable<HookPoint> WithBranches(int layers)
    {
        yield return Embed;
        for (int l = 0; l < layers; l++)
        {
            yield return ResidPre(l);
            yield return AttnOut(l);
            yield return ResidMid(l);
            yield return MlpOut(l);
            yield return ResidPost(l);
        }
    }

    public static HookPoint Parse(string name)
    {
        if (name == "hook_embed") return Embed;
        var m = NamePattern().Match(name);
        if (!m.Success) throw new ArgumentException($"unknown hook point '{name}' (known: hook_embed, blocks.{{i}}.hook_resid_pre|mid|post, blocks.{{i}}.hook_attn_out|mlp_out)");
        var site = m.Groups[2].Value switch
        {
            "resid_pre" => ResidualSite.Pre, "resid_mid" => ResidualSite.Mid, "resid_post" => ResidualSite.Post,
            "attn_out" => ResidualSite.AttnOut, _ => ResidualSite.MlpOut,
        };
        return new HookPoint(int.Parse(m.Groups[1].Value), site);
    }

    [GeneratedRegex(@"^blocks\.(\d+)\.hook_(resid_pre|resid_mid|resid_post|attn_out|mlp_out)$")]
    private static partial Regex NamePattern();
}
