namespace CosmosNet.Net.Http;

/// <summary>The request methods of RFC 9110 9.3 and RFC 5789, as shared strings (a parsed request never allocates its method).</summary>
public static class HttpMethods
{
    public const string Get = "GET", Head = "HEAD", Post = "POST", Put = "PUT", Delete = "DELETE",
        Options = "OPTIONS", Patch = "PATCH", Trace = "TRACE", Connect = "CONNECT";

    /// <summary>The shared string of a known method (methods are case-sensitive), or "" for any other token.</summary>
    internal static string Intern(ReadOnlySpan<byte> m) => m.Length switch
    {
        3 when m.SequenceEqual("GET"u8) => Get,
        3 when m.SequenceEqual("PUT"u8) => Put,
        4 when m.SequenceEqual("HEAD"u8) => Head,
        4 when m.SequenceEqual("POST"u8) => Post,
        5 when m.SequenceEqual("PATCH"u8) => Patch,
        5 when m.SequenceEqual("TRACE"u8) => Trace,
        6 when m.SequenceEqual("DELETE"u8) => Delete,
        7 when m.SequenceEqual("OPTIONS"u8) => Options,
        7 when m.SequenceEqual("CONNECT"u8) => Connect,
        _ => "",
    };
}
