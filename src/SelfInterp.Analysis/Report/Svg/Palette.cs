namespace SelfInterp.Analysis.Report.Svg;

/// <summary>
/// The Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; series also differ in
/// marker shape so no meaning rests on colour alone. Text and axes use near-black for contrast.
/// </summary>
public static class Palette
{
    public const string Black = "#000000";
    public const string Orange = "#E69F00";
    public const string SkyBlue = "#56B4E9";
    public const string BluishGreen = "#009E73";
    public const string Blue = "#0072B2";
    public const string Vermillion = "#D55E00";
    public const string Grey = "#7A7A7A";

    public const string Ink = "#1A1A1A";
    public const string Axis = "#444444";
    public const string Grid = "#E3E3E3";
}
