namespace SelfInterp.Contracts;

/// <summary>One request body or one answer put through the same check as <see cref="ContractCheckedHandler"/>'s, with
/// the same recorded exceptions: how the tests show that the check refuses a shape the document does not allow.</summary>
public static class ContractCheckedHandlerProbe
{
    /// <summary>An answer of <paramref name="status"/> with <paramref name="json"/> to METHOD path; throws ContractException if not allowed.</summary>
    public static void Answer(ApiDocument document, string method, string path, string json, int status = 200) =>
        Throw(ContractExceptions.Response(document, method, path, status, System.Text.Json.Nodes.JsonNode.Parse(json)));

    /// <summary>A request with the JSON body <paramref name="json"/>; throws ContractException if not allowed.</summary>
    public static void Request(ApiDocument document, string method, string path, string json) =>
        Throw(ContractExceptions.Request(document, method, path, "application/json", System.Text.Json.Nodes.JsonNode.Parse(json)));

    private static void Throw(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0) throw new ContractException(string.Join("\n", problems));
    }
}
