namespace SelfInterp.HuggingFace.Tests;

/// <summary>The test classes that run the command line in this process and read what it writes by swapping
/// Console.Error: the console is one for the whole process, so two of them at once would read each other's messages
/// (or none). xunit runs the classes of one collection one after another.</summary>
public static class InProcessCli
{
    public const string Collection = "in-process command line";
}
